// The city as the console draws it: grid polygons in force today, the org tree's names, the red map,
// the category catalogue. Read once per page load; the registry changes by versioned files, not live.
import { markRaw, reactive } from 'vue'
import { api } from '../api/client'
import type { GridCollection, RedMapPlace } from '../api/types'

export interface Named {
  name?: string
  name_zh?: string
}

export interface Category extends Named {
  code: string
  [key: string]: unknown
}

export const city = reactive({
  grids: null as GridCollection | null,
  // Every unit of the org tree (district, street, community, grid, department) by id.
  units: new Map<string, Named & { level?: string }>(),
  categories: new Map<string, Category>(),
  // Per category: the filing standards an operator ticks when filing from manual triage.
  filingStandards: new Map<string, string[]>(),
  closingStandards: new Map<string, string[]>(),
  redMap: [] as RedMapPlace[],
  // What a red-map place offers, by code: names in both languages.
  offers: new Map<string, Named>(),
  loaded: false,
})

const ID_KEYS = ['city_id', 'district_id', 'street_id', 'community_id', 'grid_id', 'department_id', 'unit_id', 'id']

/** Walk the org document and index every record that has an id and a name, whatever the nesting. */
export function indexUnits(document: unknown, into = new Map<string, Named & { level?: string }>()) {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit)
      return
    }
    if (!node || typeof node !== 'object') return
    const record = node as Record<string, unknown>
    const key = ID_KEYS.find((name) => typeof record[name] === 'string')
    if (key && (typeof record.name === 'string' || typeof record.name_zh === 'string')) {
      into.set(record[key] as string, {
        name: record.name as string | undefined,
        name_zh: record.name_zh as string | undefined,
        level: (record.level as string | undefined) ?? key.replace(/_id$/, ''),
      })
    }
    Object.values(record).forEach(visit)
  }
  visit(document)
  return into
}

/** Filing and closing standards per category, when the org document carries them. */
export function indexStandards(document: unknown, key: string, into: Map<string, string[]>): void {
  const standards = ((document ?? {}) as Record<string, unknown>)[key]
  if (Array.isArray(standards)) {
    for (const entry of standards as Array<{ category: string; standards: string[] }>) {
      into.set(entry.category, entry.standards)
    }
  } else if (standards && typeof standards === 'object') {
    for (const [code, list] of Object.entries(standards as Record<string, string[]>)) into.set(code, list)
  }
}

export async function loadCity(): Promise<void> {
  const [grids, org, redMap, categories] = await Promise.all([
    api.get<GridCollection>('console', '/v1/city/grids'),
    api.get<unknown>('console', '/v1/city/org').catch(() => null),
    api.get<unknown>('console', '/v1/city/red-map').catch(() => null),
    api.get<unknown>('intake', '/v1/categories').catch(() => null),
  ])
  // Thousands of polygons: kept out of Vue's reactivity (ECharts reads every coordinate).
  city.grids = markRaw(grids)
  for (const feature of grids.features) {
    const props = feature.properties
    city.units.set(props.grid_id, { name: props.name, name_zh: props.name_zh, level: 'grid' })
  }
  if (org) {
    indexUnits(org, city.units)
    indexStandards(org, 'filing_standards', city.filingStandards)
    indexStandards(org, 'closing_standards', city.closingStandards)
  }
  city.redMap = markRaw(placesOf(redMap))
  const offers = (redMap as { offers?: Record<string, Named> } | null)?.offers ?? {}
  for (const [code, names] of Object.entries(offers)) city.offers.set(code, names)
  for (const category of listOf<Category>(categories, 'categories')) city.categories.set(category.code, category)
  city.loaded = true
}

function listOf<T>(document: unknown, key: string): T[] {
  if (Array.isArray(document)) return document as T[]
  const inner = (document as Record<string, unknown> | null)?.[key]
  if (Array.isArray(inner)) return inner as T[]
  // a grouped catalogue: groups[].categories[]
  const groups = (document as Record<string, unknown> | null)?.groups
  if (Array.isArray(groups)) return groups.flatMap((group) => listOf<T>(group, key))
  return []
}

/** The red map as a flat list of places, from a FeatureCollection or a list of records. */
export function placesOf(document: unknown): RedMapPlace[] {
  if (!document || typeof document !== 'object') return []
  const record = document as Record<string, unknown>
  if (record.type === 'FeatureCollection' && Array.isArray(record.features)) {
    return (record.features as Array<{ properties: Record<string, unknown>; geometry: { coordinates: number[] } }>).map(
      (feature) => ({
        ...(feature.properties as object),
        id: String(feature.properties.id ?? feature.properties.place_id ?? ''),
        kind: String(feature.properties.kind ?? ''),
        name: String(feature.properties.name ?? ''),
        lon: feature.geometry.coordinates[0] ?? 0,
        lat: feature.geometry.coordinates[1] ?? 0,
      }),
    )
  }
  const list = Array.isArray(document)
    ? document
    : (['places', 'items', 'stations', 'centres'] as const).flatMap((key) =>
        Array.isArray(record[key]) ? (record[key] as unknown[]) : [],
      )
  return (list as Array<Record<string, unknown>>).map((place) => {
    const location = (place.location ?? {}) as { lon?: number; lat?: number }
    return {
      ...place,
      id: String(place.id ?? place.place_id ?? ''),
      kind: String(place.kind ?? place.type ?? ''),
      name: String(place.name ?? ''),
      lon: Number(place.lon ?? location.lon ?? 0),
      lat: Number(place.lat ?? location.lat ?? 0),
    } as RedMapPlace
  })
}

export function unitName(id: string | null | undefined, locale: string): string {
  if (!id) return ''
  const unit = city.units.get(id)
  if (!unit) return id
  return (locale === 'en' ? unit.name || unit.name_zh : unit.name_zh || unit.name) || id
}

export function categoryName(code: string, locale: string): string {
  const category = city.categories.get(code)
  if (!category) return code
  return (locale === 'en' ? category.name || category.name_zh : category.name_zh || category.name) || code
}

export function offerName(code: string, locale: string): string {
  const names = city.offers.get(code)
  return (names && (locale === 'en' ? names.name || names.name_zh : names.name_zh || names.name)) || code
}
