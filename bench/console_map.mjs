// Time to the first full render of the console's city map in headless chromium (called by bench/console.py).
// Usage: node bench/console_map.mjs <url> <runs>. Prints one JSON line: per run, the milliseconds from
// navigation start to ECharts' first 'finished' event of the map, the chart's own part of it (init to
// finished), the regions drawn, and the GeoJSON's transfer.
import { launch } from '../tests/browser/lib/chromium.mjs'

const [url, runsText] = process.argv.slice(2)
const runs = Number(runsText ?? 3)
const browser = await launch()
const results = []
try {
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } })
    const page = await context.newPage()
    await page.goto(url)
    const map = page.locator('[data-test="city-map"][data-first-render-ms]')
    await map.waitFor({ timeout: 60000 })
    results.push(
      await page.evaluate(() => {
        const element = document.querySelector('[data-test="city-map"]')
        const mark = performance.getEntriesByName('gridloop-map-rendered')[0]
        const grids = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/city/grids'))
        return {
          navigation_to_map_ms: mark ? mark.startTime : null,
          chart_ms: Number(element.dataset.firstRenderMs),
          regions: Number(element.dataset.regions),
          grids_fetch_ms: grids ? grids.responseEnd - grids.startTime : null,
        }
      }),
    )
    await context.close()
  }
} finally {
  await browser.close()
}
console.log(JSON.stringify(results))
