// The city map's ECharts option, built from plain data so that it can be tested without a canvas:
// grid polygons coloured by their light, case points coloured by their state and light, the
// hotspot and recurrence layer, and the red map.
import type { CaseState, CaseSummary, GridCollection, Light, RedMapPlace } from '../api/types'
import { LIGHT_COLOURS, caseLight, gridLoads, isOpen, type GridLoad } from './lights'

export const MAP_NAME = 'gridloop-city'

export interface Alert {
  kind: 'hotspot' | 'recurrence'
  grid_id?: string | null
  category?: string
  lon?: number | null
  lat?: number | null
  case_id?: string | null
  raised_at?: string
}

export interface MapLayers {
  cases: boolean
  hotspots: boolean
  redMap: boolean
}

export interface MapInput {
  grids: GridCollection
  cases: Iterable<CaseSummary>
  alerts: Alert[]
  redMap: RedMapPlace[]
  now: number
  layers: MapLayers
  // Labels in the current language.
  label: {
    grids: string
    cases: string
    hotspots: string
    redMap: string
    gridName: (gridId: string) => string
    state: (state: CaseState) => string
    load: (load: GridLoad | undefined) => string
    category: (code: string) => string
    place: (place: RedMapPlace) => string
    alert: (kind: Alert['kind']) => string
    offer: (code: string) => string
  }
  // Large type and no roaming on the big screen.
  big?: boolean
  // One case's pin, the map centred on it (the case drawer).
  focus?: { lon: number; lat: number } | null
}

// Points of cases nobody works yet (waiting for triage or re-dispatch), and of cases past handling.
const STATE_COLOURS: Partial<Record<CaseState, string>> = {
  opened: '#8e44ad',
  returned: '#8e44ad',
  resolved: '#2f80ed',
  verified: '#2f80ed',
  deferred: '#7f8c8d',
  closed: '#95a5a6',
  voided: '#bdc3c7',
}

export function caseColour(item: Pick<CaseSummary, 'state' | 'resolve_by' | 'yellow_at' | 'red_at'>, now: number): string {
  const light: Light | null = caseLight(item, now)
  if (light) return LIGHT_COLOURS[light]
  return STATE_COLOURS[item.state] ?? '#34495e'
}

/** The colour each grid of the collection is filled with. */
export function gridColours(grids: GridCollection, cases: Iterable<CaseSummary>, now: number): Map<string, string> {
  const loads = gridLoads(cases, now)
  const colours = new Map<string, string>()
  for (const feature of grids.features) {
    const load = loads.get(feature.properties.grid_id)
    colours.set(feature.properties.grid_id, LIGHT_COLOURS[load?.light ?? 'green'])
  }
  return colours
}

/** A rough centre of a grid (mean of its outer ring's vertices), for its alerts. */
export function gridCentres(grids: GridCollection): Map<string, [number, number]> {
  const centres = new Map<string, [number, number]>()
  for (const feature of grids.features) {
    const coordinates = feature.geometry.coordinates as number[][][] | number[][][][]
    const ring = (feature.geometry.type === 'MultiPolygon'
      ? (coordinates as number[][][][])[0]?.[0]
      : (coordinates as number[][][])[0]) ?? []
    if (ring.length === 0) continue
    let lon = 0
    let lat = 0
    for (const point of ring) {
      lon += point[0] ?? 0
      lat += point[1] ?? 0
    }
    centres.set(feature.properties.grid_id, [lon / ring.length, lat / ring.length])
  }
  return centres
}

export function mapOption(input: MapInput): Record<string, unknown> {
  const cases = [...input.cases]
  const loads = gridLoads(cases, input.now)
  const colours = gridColours(input.grids, cases, input.now)
  const centres = gridCentres(input.grids)
  const fontSize = input.big ? 20 : 12
  // Green is the geo's own colour: only the grids with a yellow or red light are listed as regions
  // (each listed region costs ECharts a model of its own; a city has thousands of grids, few of them lit).
  const regions = input.grids.features.flatMap((feature) => {
    const colour = colours.get(feature.properties.grid_id)
    return colour === LIGHT_COLOURS.green ? [] : [{ name: feature.properties.grid_id, itemStyle: { areaColor: colour } }]
  })
  const casePoints = cases
    .filter((item) => item.location && isOpen(item.state))
    .map((item) => ({
      name: item.id,
      value: [item.location!.lon, item.location!.lat],
      itemStyle: { color: caseColour(item, input.now) },
      state: item.state,
      category: item.category,
    }))
  const alertPoints = input.alerts.flatMap((alert) => {
    const at: [number, number] | undefined =
      alert.lon != null && alert.lat != null ? [alert.lon, alert.lat] : centres.get(alert.grid_id ?? '')
    return at ? [{ name: alert.kind, value: at, alert }] : []
  })
  const series: Record<string, unknown>[] = [
    {
      id: 'cases',
      name: input.label.cases,
      type: 'scatter',
      coordinateSystem: 'geo',
      symbolSize: input.big ? 14 : 9,
      data: input.layers.cases ? casePoints : [],
      zlevel: 2,
      tooltip: {
        formatter: (params: { data: { state: CaseState; category: string } }) =>
          `${input.label.category(params.data.category)}<br/>${input.label.state(params.data.state)}`,
      },
    },
    {
      id: 'alerts',
      name: input.label.hotspots,
      type: 'effectScatter',
      coordinateSystem: 'geo',
      symbolSize: input.big ? 26 : 18,
      rippleEffect: { scale: 3, brushType: 'stroke' },
      itemStyle: { color: '#ff6f00' },
      data: input.layers.hotspots ? alertPoints : [],
      zlevel: 1,
      tooltip: {
        formatter: (params: { data: { alert: Alert } }) =>
          `${input.label.alert(params.data.alert.kind)}: ${input.label.category(params.data.alert.category ?? '')}`,
      },
    },
    {
      id: 'red-map',
      name: input.label.redMap,
      type: 'scatter',
      coordinateSystem: 'geo',
      symbol: 'pin',
      symbolSize: input.big ? 34 : 24,
      itemStyle: { color: '#c0392b' },
      data: input.layers.redMap
        ? input.redMap.map((place) => ({ name: place.name_zh || place.name, value: [place.lon, place.lat], place }))
        : [],
      zlevel: 1,
      tooltip: {
        formatter: (params: { data: { place: RedMapPlace } }) =>
          `${input.label.place(params.data.place)}<br/>${(params.data.place.offers ?? []).map(input.label.offer).join(' · ')}`,
      },
    },
  ]
  if (input.focus) {
    series.push({
      id: 'focus',
      type: 'scatter',
      coordinateSystem: 'geo',
      symbol: 'pin',
      symbolSize: 40,
      itemStyle: { color: '#1f3a93' },
      data: [{ name: 'focus', value: [input.focus.lon, input.focus.lat] }],
      zlevel: 3,
    })
  }
  return {
    animation: false,
    tooltip: { trigger: 'item', textStyle: { fontSize } },
    geo: {
      map: MAP_NAME,
      nameProperty: 'grid_id',
      roam: !input.big,
      ...(input.focus ? { center: [input.focus.lon, input.focus.lat], zoom: 4 } : {}),
      // Projected as the grids lie (lon/lat degrees scaled at the city's latitude).
      aspectScale: Math.cos((33 * Math.PI) / 180),
      itemStyle: { borderColor: '#ffffff', borderWidth: 0.6, areaColor: LIGHT_COLOURS.green, opacity: 0.55 },
      emphasis: { itemStyle: { areaColor: '#5dade2' }, label: { show: false } },
      select: { disabled: true },
      label: { show: false },
      regions,
      tooltip: {
        show: true,
        formatter: (params: { name: string }) =>
          `${input.label.gridName(params.name)}<br/>${input.label.load(loads.get(params.name))}`,
      },
    },
    series,
  }
}
