// The console in a real browser (Debian's chromium through playwright-core) against the stack `make
// browser` runs: the gateway, the console service and the four services on a real Kafka and PostgreSQL.
// Screenshots of each main view go to .artifacts/browser/.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { launch } from './lib/chromium.mjs'
import {
  ARTIFACTS,
  BASE,
  WENFENG_01,
  WENFENG_03,
  XIANFENG_01,
  gateway,
  gatewayPid,
  gridsInForce,
  helper,
  near,
} from './lib/stack.mjs'

// Grid tier, never merged (city/triage.yaml): every report is a case of its own.
const GRID_CATEGORY = 'safety.ebike_indoor_charging'
// Street tier: held by a street officer, whose extension an operator approves (city/handling.yaml).
const STREET_CATEGORY = 'city_appearance.abandoned_vehicle'
const PEOPLE = ['op-tinghu', 'sv-yancheng', 'sv-tinghu', 'so-tinghu-wenfeng-1', 'so-tinghu-wenfeng-2', 'so-tinghu-xianfeng-1']
let browser
let password

before(async () => {
  password = helper('passwords', ...PEOPLE).password
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

async function signedIn(person, path = '/', viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${person}] page error: ${error.message}`))
  await page.goto(new URL(path, BASE).href)
  await page.waitForURL(/\/signin/)
  await page.fill('input[name="person_id"]', person)
  await page.fill('input[name="password"]', password)
  await page.click('button[type="submit"]')
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'))
  await page.locator('[data-feed-status="live"]').first().waitFor({ timeout: 30000 })
  return page
}

// Headless chromium refuses a capture before the page's first frame is composited ("Unable to capture
// screenshot"), which a loaded machine makes likely on a fresh page: let it draw and try again.
async function shot(page, name) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
    } catch (error) {
      if (attempt === 3 || !String(error).includes('Unable to capture screenshot')) throw error
      await page.waitForLoadState('load')
      await page.waitForTimeout(500)
    }
  }
}
const feedItem = (page, caseId, action) =>
  page.locator(`[data-test="feed"] li[data-case-id="${caseId}"]${action ? `[data-action="${action}"]` : ''}`).first()

test('a person signs in and the map draws every grid of the sample city', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  await page.goto(BASE)
  await page.waitForURL(/\/signin/)
  await shot(page, 'signin')
  await page.fill('input[name="person_id"]', 'op-tinghu')
  await page.fill('input[name="password"]', 'not the password')
  await page.click('button[type="submit"]')
  await page.locator('[data-test="signin-error"]').waitFor()
  await context.close()

  const signed = await signedIn('op-tinghu')
  const map = signed.locator('[data-test="city-map"][data-regions]')
  await map.waitFor()
  assert.equal(Number(await map.getAttribute('data-regions')), gridsInForce().size)
  assert.match(await signed.locator('[data-test="me"]').innerText(), /姜磊/)
  await shot(signed, 'map')
  await signed.context().close()
})

test('a report posted to intake appears on the feed and on the map', async () => {
  const page = await signedIn('op-tinghu')
  await page.locator('[data-cases-loaded="true"]').waitFor()
  const map = page.locator('[data-test="city-map"][data-case-points]')
  await map.waitFor()
  const before = Number(await map.getAttribute('data-case-points'))
  const posted = helper('report', GRID_CATEGORY, ...near(WENFENG_01))
  await feedItem(page, posted.id, 'assign').waitFor({ timeout: 30000 })
  await page.waitForFunction(
    ([selector, count]) => Number(document.querySelector(selector)?.dataset.casePoints) > count,
    ['[data-test="city-map"]', before],
  )
  // The case drawer from the feed: its timeline, its holder, its pin.
  await feedItem(page, posted.id, 'assign').click()
  const drawer = page.locator(`[data-test="case-drawer"][data-case-id="${posted.id}"]`)
  await drawer.locator('[data-test="timeline"] li[data-action="assign"]').waitFor()
  assert.equal(await drawer.locator('[data-test="case-holder"]').innerText(), posted.assignee_id)
  await drawer.locator('.city-map[data-regions]').waitFor()
  await page.close()
})

test('an operator files a case waiting for manual triage', async () => {
  const waiting = helper('untriaged', 'd-tinghu', GRID_CATEGORY, ...near(WENFENG_03))
  const page = await signedIn('op-tinghu', '/boards?board=triage')
  const row = page.locator(`[data-board="triage"] li[data-case-id="${waiting.id}"]`)
  await row.waitFor({ timeout: 30000 })
  await shot(page, 'boards-triage')
  await row.locator('button[data-action="reassign"]').click()
  await row.locator('input[name="assignee"]').fill('w-tinghu-wenfeng-03')
  await row.locator('[data-test="action-submit"]').click()
  // The stream brings the reassignment: the case leaves the triage board.
  await row.waitFor({ state: 'detached', timeout: 30000 })
  assert.equal(helper('case', waiting.id).assignee_id, 'w-tinghu-wenfeng-03')
  await page.close()
})

test('an operator approves a pending extension and the holder sees it at once', async () => {
  // Spread enough that a later run's report lies beyond the category's 30 m merge radius, and little
  // enough to stay inside Wenfeng street: at 0.006° about one point in twenty fell outside every grid.
  const posted = helper('report', STREET_CATEGORY, ...near(WENFENG_03, 0.003), '--description', '路边僵尸车长期占用消防通道')
  const holder = posted.assignee_id
  assert.match(holder, /^so-tinghu-wenfeng-/)
  helper('step', posted.id, holder, 'accept')
  helper('step', posted.id, holder, 'requests/extension', JSON.stringify({ note: '车主联系不上，需公告', length: 'P2D' }))

  // Tall enough for the drawer's timeline in the screenshot.
  const holderPage = await signedIn(holder, `/?case=${posted.id}`, { width: 1440, height: 1500 })
  const pending = holderPage.locator('[data-test="case-pending"]')
  await pending.waitFor()
  const resolveBy = holderPage.locator('[data-deadline="resolveBy"]')
  const before = await resolveBy.innerText()

  const operator = await signedIn('op-tinghu', '/boards?board=approvals')
  const row = operator.locator(`[data-board="approvals"] li[data-case-id="${posted.id}"]`)
  await row.waitFor({ timeout: 30000 })
  await shot(operator, 'boards-approvals')
  await row.locator('button[data-action="approve_extension"]').click()
  await row.locator('textarea[name="note"]').fill('同意延期两个工作日')
  await row.locator('[data-test="action-submit"]').click()
  await row.waitFor({ state: 'detached', timeout: 30000 })

  // The holder's drawer follows the stream: the request is decided, the deadline moved.
  await pending.waitFor({ state: 'detached', timeout: 30000 })
  await holderPage.waitForFunction(
    ([text]) => document.querySelector('[data-deadline="resolveBy"]')?.textContent !== text,
    [before],
  )
  await holderPage.locator('[data-test="timeline"] li[data-action="approve_extension"]').waitFor()
  await shot(holderPage, 'case-drawer')
  await holderPage.close()
  await operator.close()
})

test('a street officer does not see another street\'s cases', async () => {
  const page = await signedIn('so-tinghu-xianfeng-1')
  const elsewhere = helper('report', GRID_CATEGORY, ...near(WENFENG_01))
  const own = helper('report', GRID_CATEGORY, ...near(XIANFENG_01))
  // Reported after the other one: once it is on the feed, the other would be too if it were visible.
  await feedItem(page, own.id, 'assign').waitFor({ timeout: 30000 })
  assert.equal(await page.locator(`[data-test="feed"] li[data-case-id="${elsewhere.id}"]`).count(), 0)
  await page.goto(new URL(`/boards?board=overdue&case=${elsewhere.id}`, BASE).href)
  await page.locator('[data-test="case-drawer"] .error').waitFor()
  assert.match(await page.locator('[data-test="case-drawer"] .error').innerText(), /^403/)
  assert.equal(await page.locator(`li[data-case-id="${elsewhere.id}"]`).count(), 0)
  await page.close()
})

test('cutting the event stream and reconnecting loses no event', async () => {
  const page = await signedIn('sv-yancheng')
  const first = helper('report', GRID_CATEGORY, ...near(WENFENG_01))
  await feedItem(page, first.id, 'assign').waitFor({ timeout: 30000 })

  // Stop the gateway at once: every connection through it is cut mid-stream.
  process.kill(gatewayPid(), 'SIGTERM')
  await page.locator('[data-feed-status="reconnecting"]').first().waitFor({ timeout: 30000 })
  const missed = [helper('report', GRID_CATEGORY, ...near(WENFENG_03)), helper('report', GRID_CATEGORY, ...near(XIANFENG_01))]
  gateway('start')

  for (const posted of missed) await feedItem(page, posted.id, 'assign').waitFor({ timeout: 60000 })
  await page.locator('[data-feed-status="live"]').first().waitFor()
  // A city-wide supervisor sees every event: the positions on the feed run without a gap or a repeat.
  const start = Number(await feedItem(page, first.id, 'open').getAttribute('data-position'))
  const positions = await page
    .locator('[data-test="feed"] li')
    .evaluateAll((items) => items.map((li) => Number(li.dataset.position)))
  const since = positions.filter((position) => position >= start)
  assert.deepEqual(since, [...since].sort((a, b) => b - a))
  assert.equal(new Set(since).size, since.length)
  assert.equal(since[0] - since[since.length - 1] + 1, since.length, `positions with a gap: ${since.join(',')}`)
  await shot(page, 'map-after-reconnect')
  await page.close()
})

test('rankings, the big screen and the English toggle', async () => {
  const page = await signedIn('sv-yancheng', '/rankings')
  await page.locator('[data-test="trend-chart"] canvas').waitFor()
  const bulletin = await page.locator('[data-test="bulletin"]').getAttribute('href')
  assert.match(bulletin, /^\/api\/scoring\/v1\/bulletins\/\d{4}-\d{2}\.csv\?level=grid$/)
  const csv = await page.request.get(new URL(bulletin, BASE).href)
  assert.equal(csv.status(), 200)
  await shot(page, 'rankings')
  await page.locator('[data-test="lang-toggle"]').click()
  await page.locator('[data-nav="map"]', { hasText: 'City map' }).waitFor()
  await page.locator('[data-test="lang-toggle"]').click()
  await page.locator('[data-nav="map"]', { hasText: '城市地图' }).waitFor()
  await page.goto(new URL('/big-screen', BASE).href)
  await page.locator('[data-test="big-screen"] [data-test="city-map"][data-regions]').waitFor()
  assert.equal(await page.locator('[data-test="big-screen"] button').count(), 0, 'the big screen has no controls')
  await shot(page, 'big-screen')
  await page.close()
})

test('a supervisor resets the password of a person in their district, who then signs in with it', async () => {
  const page = await signedIn('sv-tinghu', '/people')
  const newPassword = `reset-${Date.now()}-pw`
  await page.fill('[data-test="password-form"] input[name="person_id"]', 'w-tinghu-wenfeng-01')
  await page.fill('[data-test="password-form"] input[name="password"]', newPassword)
  await page.fill('[data-test="password-form"] input[name="again"]', newPassword)
  await page.click('[data-test="password-form"] button[type="submit"]')
  await page.locator('[data-test="password-result"].ok').waitFor()
  // Outside the district: refused.
  await page.fill('[data-test="password-form"] input[name="person_id"]', 'w-yandu-xindu-01')
  await page.fill('[data-test="password-form"] input[name="password"]', newPassword)
  await page.fill('[data-test="password-form"] input[name="again"]', newPassword)
  await page.click('[data-test="password-form"] button[type="submit"]')
  await page.locator('[data-test="password-result"].error', { hasText: '403' }).waitFor()
  await page.close()

  const worker = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  await worker.goto(BASE)
  await worker.fill('input[name="person_id"]', 'w-tinghu-wenfeng-01')
  await worker.fill('input[name="password"]', newPassword)
  await worker.click('button[type="submit"]')
  await worker.locator('[data-test="me"]').waitFor()
  await worker.close()
})
