// A small history router: the gateway serves index.html for every console path, so the paths below
// can be opened, bookmarked and reloaded. The case drawer is the `case` query parameter of any view.
import { reactive } from 'vue'

export type RouteName = 'signin' | 'map' | 'boards' | 'rankings' | 'big-screen' | 'people'

const PATHS: Record<RouteName, string> = {
  signin: '/signin',
  map: '/',
  boards: '/boards',
  rankings: '/rankings',
  'big-screen': '/big-screen',
  people: '/people',
}

export interface Route {
  name: RouteName
  query: URLSearchParams
}

function parse(): Route {
  const path = window.location.pathname.replace(/\/+$/, '') || '/'
  const name = (Object.entries(PATHS).find(([, p]) => p === path)?.[0] as RouteName | undefined) ?? 'map'
  return { name, query: new URLSearchParams(window.location.search) }
}

export const route = reactive<Route>(parse())

window.addEventListener('popstate', () => Object.assign(route, parse()))

export function hrefOf(name: RouteName, query?: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) if (value) params.set(key, value)
  const text = params.toString()
  return text ? `${PATHS[name]}?${text}` : PATHS[name]
}

export function navigate(name: RouteName, query?: Record<string, string | null | undefined>, replace = false): void {
  const href = hrefOf(name, query)
  if (replace) window.history.replaceState(null, '', href)
  else window.history.pushState(null, '', href)
  Object.assign(route, parse())
}

/** Open or close the case drawer over the current view. */
export function openCase(caseId: string | null): void {
  const query: Record<string, string> = {}
  route.query.forEach((value, key) => {
    if (key !== 'case') query[key] = value
  })
  if (caseId) query.case = caseId
  navigate(route.name, query)
}

/** Go to a same-origin path given as text (a sign-in's `next`); anything else goes to the map. */
export function navigateToPath(path: string | null): void {
  const safe = path && path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/signin') ? path : '/'
  window.history.pushState(null, '', safe)
  Object.assign(route, parse())
}
