// Traffic lights, as handling computes them (services/handling/views.py light_of), so that a case
// changed by the live stream shows its light without asking the server again.
import type { CaseState, CaseSummary, Light } from '../api/types'

// States in which someone works the case and the handling clock runs.
export const CLOCKED_STATES: ReadonlySet<CaseState> = new Set([
  'assigned',
  'accepted',
  'in_progress',
  'reopened',
  'in_consultation',
])

// States a case never leaves, or leaves only by a new report (closed: a callback may reopen it).
export const ENDED_STATES: ReadonlySet<CaseState> = new Set(['closed', 'voided'])

export function isOpen(state: CaseState): boolean {
  return !ENDED_STATES.has(state)
}

type Clocked = Pick<CaseSummary, 'state' | 'resolve_by' | 'yellow_at' | 'red_at'>

export function caseLight(item: Clocked, now: number): Light | null {
  if (!CLOCKED_STATES.has(item.state)) return null
  const red = Date.parse(item.red_at ?? item.resolve_by)
  if (now >= red) return 'red'
  if (item.yellow_at && now >= Date.parse(item.yellow_at)) return 'yellow'
  return 'green'
}

/** Open past its close-by moment (deferred and voided cases run no clock). */
export function isOverdue(item: Pick<CaseSummary, 'state' | 'close_by'>, now: number): boolean {
  if (!isOpen(item.state) || item.state === 'deferred') return false
  return now > Date.parse(item.close_by)
}

export interface GridLoad {
  open: number
  overdue: number
  yellow: number
  light: Light
}

const RANK: Record<Light, number> = { green: 0, yellow: 1, red: 2 }

/**
 * A grid's light on the map: red when any open case in it is overdue or at red, yellow when any is at
 * yellow, else green (also with no open case).
 */
export function gridLoads(cases: Iterable<CaseSummary>, now: number): Map<string, GridLoad> {
  const loads = new Map<string, GridLoad>()
  for (const item of cases) {
    if (!item.grid_id || !isOpen(item.state)) continue
    const load = loads.get(item.grid_id) ?? { open: 0, overdue: 0, yellow: 0, light: 'green' as Light }
    load.open += 1
    const light = caseLight(item, now)
    const overdue = isOverdue(item, now)
    if (overdue) load.overdue += 1
    if (light === 'yellow') load.yellow += 1
    const shown: Light = overdue || light === 'red' ? 'red' : light === 'yellow' ? 'yellow' : 'green'
    if (RANK[shown] > RANK[load.light]) load.light = shown
    loads.set(item.grid_id, load)
  }
  return loads
}

export const LIGHT_COLOURS: Record<Light, string> = {
  green: '#2e9d5b',
  yellow: '#e6b400',
  red: '#d64541',
}

export function formatCountdown(seconds: number): string {
  const sign = seconds < 0 ? '-' : ''
  let rest = Math.abs(Math.round(seconds))
  const days = Math.floor(rest / 86400)
  rest -= days * 86400
  const hours = Math.floor(rest / 3600)
  rest -= hours * 3600
  const minutes = Math.floor(rest / 60)
  const secs = rest - minutes * 60
  const pad = (n: number) => String(n).padStart(2, '0')
  return days > 0
    ? `${sign}${days}d ${pad(hours)}:${pad(minutes)}`
    : `${sign}${pad(hours)}:${pad(minutes)}:${pad(secs)}`
}
