// The initial JavaScript of the build, gzipped: the entry script of dist/index.html and the chunks it
// preloads (what a browser fetches before the console can draw anything). Fails past the budget.
import { readFileSync, readdirSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET_KB = 500
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const initial = [
  ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
].map((match) => match[1].replace(/^\//, ''))

let raw = 0
let gzipped = 0
for (const file of new Set(initial)) {
  const bytes = readFileSync(join(dist, file))
  raw += bytes.length
  gzipped += gzipSync(bytes, { level: 9 }).length
}
const all = readdirSync(join(dist, 'assets')).filter((name) => name.endsWith('.js')).length
const kb = (n) => (n / 1024).toFixed(1)
console.log(
  `console build: initial JS ${kb(gzipped)} kB gzipped (${kb(raw)} kB raw, ${new Set(initial).size} of ${all} chunks); budget ${BUDGET_KB} kB`,
)
if (gzipped > BUDGET_KB * 1024) {
  console.error(`initial JS over budget: ${kb(gzipped)} kB > ${BUDGET_KB} kB gzipped`)
  process.exit(1)
}
