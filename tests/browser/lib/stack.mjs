// The stack the browser tests run against: the gateway's URL, the Python helpers (tests/browser/helpers.py)
// and the gateway script, with the environment `make browser` gives them.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './chromium.mjs'

export const BASE = (process.env.GRIDLOOP_CONSOLE_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 18080}/`).replace(
  /\/?$/,
  '/',
)
export const ARTIFACTS = join(ROOT, '.artifacts', 'browser')
mkdirSync(ARTIFACTS, { recursive: true })

const PYTHON = join(ROOT, '.venv', 'bin', 'python')

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: process.env, timeout: 120000 })
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`)
  }
  return result.stdout
}

/** A command of tests/browser/helpers.py; its JSON answer. */
export function helper(...args) {
  const out = run(PYTHON, ['-m', 'tests.browser.helpers', ...args.map(String)])
  return JSON.parse(out.trim().split('\n').pop())
}

export function gateway(command) {
  return run(join(ROOT, 'scripts', 'gateway.sh'), [command])
}

/** The gateway's nginx master: the test cuts every connection by stopping it at once (TERM). */
export function gatewayPid() {
  const runDir = process.env.GRIDLOOP_RUN_DIR ?? join(ROOT, '.run', process.env.GRIDLOOP_PROFILE ?? 'test')
  return Number(readFileSync(join(runDir.startsWith('/') ? runDir : join(ROOT, runDir), 'nginx', 'nginx.pid'), 'utf8'))
}

/** The sample city's grids in force today (one per grid id). */
export function gridsInForce(today = new Date().toISOString().slice(0, 10)) {
  const collection = JSON.parse(readFileSync(join(ROOT, 'city', 'grids.geojson'), 'utf8'))
  const ids = new Set()
  for (const { properties: p } of collection.features) {
    if ((!p.effective_from || p.effective_from <= today) && (!p.effective_until || p.effective_until > today)) ids.add(p.grid_id)
  }
  return ids
}

/** A point near a grid's inside point, moved at random by up to `spread` degrees each way. */
export function near([lon, lat], spread = 0.0015) {
  const jitter = () => (Math.random() - 0.5) * spread
  return [Number((lon + jitter()).toFixed(6)), Number((lat + jitter()).toFixed(6))]
}

// Inside points of grids of the sample city (representative points of their polygons).
export const WENFENG_01 = [120.148698, 33.392854]
export const WENFENG_03 = [120.158448, 33.392812]
export const XIANFENG_01 = [120.159008, 33.376756]
