import { describe, expect, it, vi } from 'vitest'
import { createCaseStore } from '../src/stores/cases'
import type { CaseDetail, Me } from '../src/api/types'
import { actionsFor, missingStandards } from '../src/lib/actions'
import { monthOfMany, rate, todayFigures } from '../src/lib/kpi'
import { streamEvent } from './fakes'

function detail(overrides: Partial<CaseDetail> = {}): CaseDetail {
  return {
    id: 'c-1',
    category: 'city_appearance.garbage_overflow',
    priority: 'normal',
    tier: 'grid',
    state: 'assigned',
    grid_id: 'g-1',
    community_id: 'cm-1',
    street_id: 's-1',
    district_id: 'd-1',
    department_id: null,
    unit_id: 'g-1',
    assignee_id: 'w-1',
    verifier_id: 'chief-1',
    location: { lon: 120.1, lat: 33.4 },
    description: 'bin overflowing',
    resolve_by: '2026-07-02T02:00:00Z',
    close_by: '2026-07-03T02:00:00Z',
    opened_at: '2026-07-01T01:00:00Z',
    updated_at: '2026-07-01T01:00:00Z',
    timeline: [],
    ...overrides,
  }
}

const me = (person_id: string, role: string): Me => ({
  person_id,
  role,
  name: person_id,
  unit_id: 'd-1',
  unit_name: 'D',
  jurisdiction: { level: 'district', unit_id: 'd-1' },
  city_wide: false,
})

describe('the case store', () => {
  it('applies a stream event to its case and reads a case it has never seen once', async () => {
    const fetchCase = vi.fn(async () => detail({ id: 'c-1', state: 'accepted', updated_at: '2026-07-01T02:00:01Z' }))
    const store = createCaseStore(fetchCase)
    store.apply(streamEvent(1))
    store.apply(streamEvent(2))
    expect(fetchCase).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(store.byId.get('c-1')?.location).toEqual({ lon: 120.1, lat: 33.4 }))
    expect(store.byId.get('c-1')?.state).toBe('accepted')
  })

  it('keeps the newer of two versions of a case', () => {
    const store = createCaseStore(vi.fn(async () => detail()))
    store.put(detail({ state: 'resolved', updated_at: '2026-07-01T05:00:00Z' }))
    store.apply(streamEvent(1, { committed_at: '2026-07-01T04:00:00Z' }))
    store.put(detail({ state: 'assigned', updated_at: '2026-07-01T03:00:00Z' }))
    expect(store.byId.get('c-1')?.state).toBe('resolved')
  })

  it('tracks a pending request from the stream until it is decided', () => {
    const store = createCaseStore(vi.fn(async () => detail()))
    store.put(detail({ state: 'accepted' }))
    store.apply(
      streamEvent(5, { action: 'request_extension', actor_id: 'w-1', note: 'rain', details: { kind: 'extension', length: 'P2D' } }),
    )
    expect(store.byId.get('c-1')?.pending).toMatchObject({ kind: 'extension', requested_by: 'w-1', length: 'P2D' })
    store.apply(streamEvent(6, { action: 'approve_extension', actor_id: 'chief-1' }))
    expect(store.byId.get('c-1')?.pending).toBeNull()
  })
})

describe('the actions the drawer offers', () => {
  it('are the server\'s when it names them', () => {
    expect(actionsFor(detail({ allowed_actions: ['accept', 'no_such_step'] }), me('w-1', 'grid_worker'))).toEqual(['accept'])
  })

  it('follow the state and the person\'s part in the case', () => {
    const before = Date.parse('2026-07-01T12:00:00Z')
    const late = Date.parse('2026-07-02T12:00:00Z')
    expect(actionsFor(detail(), me('w-1', 'grid_worker'), before)).toEqual(['accept', 'escalate', 'request_return', 'request_void'])
    expect(actionsFor(detail(), me('w-1', 'grid_worker'), late)).toContain('request_appeal')
    expect(actionsFor(detail({ tier: 'street' }), me('op', 'operator'), before)).toEqual(['start_consultation', 'request_void'])
    expect(actionsFor(detail(), me('w-2', 'grid_worker'))).toEqual([])
    expect(actionsFor(detail({ state: 'opened', assignee_id: null }), me('op', 'operator'))).toEqual(['reassign'])
    const pending = detail({ state: 'accepted', pending: { kind: 'extension', requested_by: 'w-1' } })
    expect(actionsFor(pending, me('chief-1', 'grid_chief')).slice(0, 2)).toEqual(['approve_extension', 'reject_extension'])
    expect(actionsFor(pending, me('w-1', 'grid_worker'))).not.toContain('approve_extension')
    expect(actionsFor(pending, me('w-1', 'grid_worker'))).not.toContain('request_extension')
  })
})

describe('standards handling names', () => {
  it('are read from its refusal', () => {
    expect(
      missingStandards('filing standards not met for safety.gas_leak: location confirmed on site, reporter reached by phone'),
    ).toEqual(['location confirmed on site', 'reporter reached by phone'])
    expect(missingStandards('only the holder may accept it')).toEqual([])
  })
})

describe('KPI figures', () => {
  it('rounds rates half up to two decimals, null when nothing is due', () => {
    expect(rate(2, 3)).toBe('66.67')
    expect(rate(1, 8)).toBe('12.50')
    expect(rate(1, 16)).toBe('6.25')
    expect(rate(1, 3)).toBe('33.33')
    expect(rate(1, 200000)).toBe('0.00')
    expect(rate(1, 20000)).toBe('0.01') // 0.005 % rounds up
    expect(rate(0, 0)).toBeNull()
  })

  it('adds districts\' counters for the whole city', () => {
    const result = (closed: number, due: number, onTime: number) => ({
      subject_type: 'district',
      subject_id: 'd',
      name: null,
      period: '2026-07',
      counters: { closed, due_to_close: due, closed_on_time: onTime, callbacks: 2, satisfied_callbacks: 1 },
      closure_rate: null,
      on_time_closure_rate: null,
      score: null,
      grade: null,
    })
    expect(monthOfMany([result(3, 4, 2), result(1, 4, 1)])).toEqual({
      closed: 4,
      dueToClose: 8,
      closureRate: '50.00',
      onTimeClosureRate: '37.50',
      satisfaction: '50.00',
    })
  })

  it('counts today on the city\'s clock', () => {
    const now = Date.parse('2026-07-01T17:00:00Z') // 01:00 on 2 July in Shanghai
    const figures = todayFigures(
      [
        detail({ opened_at: '2026-07-01T16:30:00Z' }),
        detail({ id: 'c-2', opened_at: '2026-07-01T15:30:00Z', state: 'closed' }),
        detail({ id: 'c-3', opened_at: '2026-06-01T00:00:00Z', close_by: '2026-06-02T00:00:00Z' }),
      ],
      now,
    )
    expect(figures).toEqual({ reportsIn: 1, open: 2, overdue: 1 })
  })
})
