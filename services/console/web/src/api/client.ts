// The console's one way to the services: same-origin fetch through the gateway's prefixes, the session
// in HttpOnly cookies. A 401 tries one session refresh, then sends the person to sign-in.
import type { ApiErrorBody } from './types'

export type Service = 'console' | 'handling' | 'scoring' | 'intake'

export const SESSION_REFRESH = '/api/console/v1/session/refresh'

export function apiPath(service: Service, path: string): string {
  return `/api/${service}${path.startsWith('/') ? path : `/${path}`}`
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

type Unauthorised = () => void

let onUnauthorised: Unauthorised = () => {
  const next = encodeURIComponent(window.location.pathname + window.location.search)
  if (!window.location.pathname.startsWith('/signin')) window.location.assign(`/signin?next=${next}`)
}

/** What happens when neither the request nor a refresh of the session is accepted. */
export function setUnauthorisedHandler(handler: Unauthorised): void {
  onUnauthorised = handler
}

let refreshing: Promise<boolean> | null = null

/** POST the refresh cookie once; concurrent callers share one refresh (the token rotates). */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch(SESSION_REFRESH, { method: 'POST', credentials: 'same-origin' })
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

export interface RequestOptions {
  method?: string
  body?: unknown
  query?: Record<string, string | number | boolean | string[] | undefined | null>
  // Sign-in itself: a 401 is an answer, not an expired session.
  noRefresh?: boolean
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one))
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

async function send(url: string, options: RequestOptions): Promise<Response> {
  const init: RequestInit = {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  }
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body)
    init.headers = { ...init.headers, 'Content-Type': 'application/json' }
  }
  return fetch(url, init)
}

async function failure(response: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> = {}
  try {
    body = (await response.json()) as ApiErrorBody
  } catch {
    // not JSON: a gateway page, say
  }
  const error = body.error
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? response.statusText,
    error?.details,
  )
}

export async function request<T>(service: Service, path: string, options: RequestOptions = {}): Promise<T> {
  const url = withQuery(apiPath(service, path), options.query)
  let response = await send(url, options)
  if (response.status === 401 && !options.noRefresh) {
    if (!(await refreshSession())) {
      // The session has ended: sign in again.
      onUnauthorised()
      throw await failure(response)
    }
    // A refused request after a good refresh is that service's answer, shown as an error.
    response = await send(url, options)
  }
  if (!response.ok) throw await failure(response)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

export const api = {
  get: <T>(service: Service, path: string, query?: RequestOptions['query']) =>
    request<T>(service, path, { query }),
  post: <T>(service: Service, path: string, body?: unknown) =>
    request<T>(service, path, { method: 'POST', body: body ?? {} }),
}
