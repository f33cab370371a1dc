import { describe, expect, it } from 'vitest'
import type { CaseSummary, GridCollection } from '../src/api/types'
import { LIGHT_COLOURS, caseLight, gridLoads } from '../src/lib/lights'
import { caseColour, gridColours, mapOption } from '../src/lib/mapOption'

const NOW = Date.parse('2026-07-01T12:00:00Z')
const hour = 3600_000
const iso = (offset: number) => new Date(NOW + offset).toISOString()

function square(id: string, x: number): GridCollection['features'][number] {
  return {
    type: 'Feature',
    properties: { grid_id: id, name: id, name_zh: id },
    geometry: { type: 'Polygon', coordinates: [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]] },
  }
}

const grids: GridCollection = {
  type: 'FeatureCollection',
  features: [square('g-green', 0), square('g-yellow', 1), square('g-red', 2), square('g-overdue', 3), square('g-empty', 4)],
}

function aCase(id: string, grid: string, overrides: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id,
    category: 'c',
    priority: 'normal',
    tier: 'grid',
    state: 'accepted',
    grid_id: grid,
    community_id: null,
    street_id: null,
    district_id: null,
    department_id: null,
    unit_id: grid,
    assignee_id: 'w',
    verifier_id: null,
    location: { lon: 0.5, lat: 0.5 },
    description: '',
    resolve_by: iso(10 * hour),
    close_by: iso(20 * hour),
    yellow_at: iso(5 * hour),
    red_at: iso(10 * hour),
    opened_at: iso(-hour),
    updated_at: iso(-hour),
    ...overrides,
  }
}

const cases: CaseSummary[] = [
  aCase('1', 'g-green'),
  aCase('2', 'g-yellow', { yellow_at: iso(-hour) }),
  aCase('3', 'g-yellow'),
  aCase('4', 'g-red', { yellow_at: iso(-2 * hour), red_at: iso(-hour) }),
  // resolved: no handling light, but past close-by and still open
  aCase('5', 'g-overdue', { state: 'resolved', close_by: iso(-hour) }),
  // closed cases never colour a grid
  aCase('6', 'g-green', { state: 'closed', red_at: iso(-hour), close_by: iso(-hour) }),
]

describe('the map colours grids by their cases\' lights', () => {
  it('shows each grid the worst light of its open cases', () => {
    const colours = gridColours(grids, cases, NOW)
    expect(colours.get('g-green')).toBe(LIGHT_COLOURS.green)
    expect(colours.get('g-yellow')).toBe(LIGHT_COLOURS.yellow)
    expect(colours.get('g-red')).toBe(LIGHT_COLOURS.red)
    expect(colours.get('g-overdue')).toBe(LIGHT_COLOURS.red)
    expect(colours.get('g-empty')).toBe(LIGHT_COLOURS.green)
  })

  it('counts open and overdue cases per grid', () => {
    const loads = gridLoads(cases, NOW)
    expect(loads.get('g-yellow')).toMatchObject({ open: 2, overdue: 0, yellow: 1, light: 'yellow' })
    expect(loads.get('g-overdue')).toMatchObject({ open: 1, overdue: 1, light: 'red' })
    expect(loads.get('g-green')).toMatchObject({ open: 1 })
  })

  it('computes a case light as handling does: red from red_at, else yellow from yellow_at', () => {
    expect(caseLight(aCase('x', 'g'), NOW)).toBe('green')
    expect(caseLight(aCase('x', 'g', { yellow_at: iso(0) }), NOW)).toBe('yellow')
    expect(caseLight(aCase('x', 'g', { red_at: null, resolve_by: iso(0) }), NOW)).toBe('red')
    expect(caseLight(aCase('x', 'g', { state: 'deferred', red_at: iso(-hour) }), NOW)).toBeNull()
    expect(caseColour(aCase('x', 'g', { state: 'opened' }), NOW)).not.toBe(LIGHT_COLOURS.green)
  })

  it('colours the lit grids over a green map, draws the open cases as points and the layers asked for', () => {
    const option = mapOption({
      grids,
      cases,
      alerts: [{ kind: 'hotspot', grid_id: 'g-red', category: 'c' }],
      redMap: [{ id: 'r', kind: 'station', name: 'Station', lon: 1, lat: 1, offers: ['water'] }],
      now: NOW,
      layers: { cases: true, hotspots: true, redMap: false },
      label: {
        grids: 'g',
        cases: 'c',
        hotspots: 'h',
        redMap: 'r',
        gridName: (id) => id,
        state: (state) => state,
        load: () => '',
        category: (code) => code,
        place: (place) => place.name,
        offer: (code) => code,
        alert: (kind) => kind,
      },
    }) as {
      geo: { map: string; itemStyle: { areaColor: string }; regions: Array<{ name: string; itemStyle: { areaColor: string } }> }
      series: Array<{ id: string; data: unknown[] }>
    }
    expect(option.geo.itemStyle.areaColor).toBe(LIGHT_COLOURS.green)
    const lit = Object.fromEntries(option.geo.regions.map((region) => [region.name, region.itemStyle.areaColor]))
    expect(lit).toEqual({ 'g-yellow': LIGHT_COLOURS.yellow, 'g-red': LIGHT_COLOURS.red, 'g-overdue': LIGHT_COLOURS.red })
    const series = Object.fromEntries(option.series.map((s) => [s.id, s.data.length]))
    expect(series).toEqual({ cases: 5, alerts: 1, 'red-map': 0 })
  })
})
