// The KPI tiles' figures. Today's come from the cases the console holds (live); the month's are
// scoring's published results: one subject's own, or, for the whole city, the districts' counters
// added and divided by the same formulas (two decimals, rounded half up, null when nothing is due).
import type { Assessment, CaseSummary, Counters } from '../api/types'
import { isOpen, isOverdue } from './lights'

export interface TodayFigures {
  reportsIn: number
  open: number
  overdue: number
}

/** The calendar day of an instant on the city's clock, as YYYY-MM-DD. */
const dayFormats = new Map<string, Intl.DateTimeFormat>()

export function cityDay(instant: number | string, timeZone = 'Asia/Shanghai'): string {
  let format = dayFormats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, format)
  }
  return format.format(new Date(instant))
}

export function cityMonth(instant: number, timeZone = 'Asia/Shanghai'): string {
  return cityDay(instant, timeZone).slice(0, 7)
}

export function todayFigures(cases: Iterable<CaseSummary>, now: number, timeZone = 'Asia/Shanghai'): TodayFigures {
  const today = cityDay(now, timeZone)
  const figures: TodayFigures = { reportsIn: 0, open: 0, overdue: 0 }
  for (const item of cases) {
    if (cityDay(item.opened_at, timeZone) === today) figures.reportsIn += 1
    if (isOpen(item.state)) figures.open += 1
    if (isOverdue(item, now)) figures.overdue += 1
  }
  return figures
}

/** numerator ÷ denominator as a percentage with two decimals, rounded half up; null when nothing is due. */
export function rate(numerator: number, denominator: number): string | null {
  if (denominator <= 0) return null
  // integer arithmetic in hundredths of a percent avoids binary rounding at the half
  const scaled = Math.floor((numerator * 20000) / denominator + 1) // twice the hundredths, plus one
  return (Math.floor(scaled / 2) / 100).toFixed(2)
}

export interface MonthFigures {
  closed: number
  dueToClose: number
  closureRate: string | null
  onTimeClosureRate: string | null
  satisfaction: string | null
}

export function monthOfOne(result: Assessment): MonthFigures {
  const counters = result.counters
  const satisfaction = result.indicators?.find((indicator) => indicator.name === 'satisfaction_rate')
  return {
    closed: counters.closed ?? 0,
    dueToClose: counters.due_to_close ?? 0,
    closureRate: result.closure_rate,
    onTimeClosureRate: result.on_time_closure_rate,
    satisfaction: satisfaction ? satisfaction.value : rate(counters.satisfied_callbacks ?? 0, counters.callbacks ?? 0),
  }
}

export function monthOfMany(results: Assessment[]): MonthFigures {
  const total: Counters = {}
  for (const result of results) {
    for (const [name, value] of Object.entries(result.counters)) total[name] = (total[name] ?? 0) + value
  }
  const due = total.due_to_close ?? 0
  return {
    closed: total.closed ?? 0,
    dueToClose: due,
    closureRate: rate(total.closed ?? 0, due),
    onTimeClosureRate: rate(total.closed_on_time ?? 0, due),
    satisfaction: rate(total.satisfied_callbacks ?? 0, total.callbacks ?? 0),
  }
}
