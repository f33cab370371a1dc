// The live feed: handling's case stream over the browser's EventSource (the session cookie goes with
// it). While the connection drops and comes back, EventSource resumes by itself with Last-Event-ID;
// when the server refuses the connection (an expired session: EventSource then gives up), the feed
// refreshes the session and opens a new one from ?after=<last id seen>. Events are deduplicated by id,
// so a replay overlapping what was already shown changes nothing. There is no polling.
import { reactive } from 'vue'
import { apiPath, refreshSession, withQuery } from '../api/client'
import type { StreamEvent } from '../api/types'

export type FeedStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopped'

type EventSourceFactory = (url: string) => EventSource

export interface FeedOptions {
  // Query filters of the stream (state, grid_id, ...).
  filters?: Record<string, string | string[]>
  // How many recent events the feed keeps for display.
  keep?: number
  // Backoff after a refused connection: first delay, doubled up to the cap.
  retryMs?: number
  maxRetryMs?: number
  open?: EventSourceFactory
  refresh?: () => Promise<boolean>
}

export interface FeedState {
  status: FeedStatus
  // Newest first, at most `keep`.
  events: StreamEvent[]
  lastId: number | null
  received: number
  duplicates: number
  reconnects: number
}

type Listener = (event: StreamEvent) => void

// Ids remembered for deduplication beyond the newest one (events arrive in id order, but a filter or
// a replay may bring one again).
const REMEMBERED_IDS = 5000

export function createFeed(options: FeedOptions = {}) {
  const keep = options.keep ?? 200
  const open: EventSourceFactory = options.open ?? ((url) => new EventSource(url))
  const refresh = options.refresh ?? refreshSession
  const baseRetry = options.retryMs ?? 1000
  const maxRetry = options.maxRetryMs ?? 30000
  const state = reactive<FeedState>({
    status: 'idle',
    events: [],
    lastId: null,
    received: 0,
    duplicates: 0,
    reconnects: 0,
  })
  const seen = new Set<number>()
  const order: number[] = []
  const listeners = new Set<Listener>()
  let source: EventSource | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let retryDelay = baseRetry
  let stopped = true

  function url(): string {
    const query: Record<string, string | string[]> = { ...(options.filters ?? {}) }
    if (state.lastId !== null) query.after = String(state.lastId)
    return withQuery(apiPath('handling', '/v1/stream/cases'), query)
  }

  function remember(id: number): boolean {
    if (seen.has(id)) return false
    seen.add(id)
    order.push(id)
    if (order.length > REMEMBERED_IDS) seen.delete(order.shift() as number)
    return true
  }

  function receive(message: MessageEvent<string>): void {
    let event: StreamEvent
    try {
      event = JSON.parse(message.data) as StreamEvent
    } catch {
      return
    }
    const id = Number(message.lastEventId || event.position)
    if (!Number.isFinite(id)) return
    retryDelay = baseRetry
    if (!remember(id)) {
      state.duplicates += 1
      return
    }
    state.lastId = state.lastId === null ? id : Math.max(state.lastId, id)
    state.received += 1
    state.events.unshift(event)
    if (state.events.length > keep) state.events.length = keep
    for (const listener of listeners) listener(event)
  }

  function connect(): void {
    if (stopped) return
    state.status = state.reconnects === 0 && state.received === 0 ? 'connecting' : 'reconnecting'
    const current = open(url())
    source = current
    current.onopen = () => {
      if (source === current) state.status = 'live'
    }
    current.onmessage = receive
    current.onerror = () => {
      if (source !== current) return
      if (current.readyState === 2 /* CLOSED */) {
        // Refused (e.g. 401): EventSource will not try again by itself.
        current.close()
        source = null
        scheduleReconnect()
      } else {
        // EventSource reconnects by itself and sends Last-Event-ID.
        state.status = 'reconnecting'
        state.reconnects += 1
      }
    }
  }

  function scheduleReconnect(): void {
    if (stopped) return
    state.status = 'reconnecting'
    state.reconnects += 1
    const delay = retryDelay
    retryDelay = Math.min(retryDelay * 2, maxRetry)
    retryTimer = setTimeout(async () => {
      retryTimer = null
      await refresh().catch(() => false)
      connect()
    }, delay)
  }

  return {
    state,
    start(): void {
      if (!stopped) return
      stopped = false
      connect()
    },
    stop(): void {
      stopped = true
      if (retryTimer) clearTimeout(retryTimer)
      retryTimer = null
      source?.close()
      source = null
      state.status = 'stopped'
    },
    /** Drop the connection and open a new one from the last id seen (after a sign-in, say). */
    restart(): void {
      source?.close()
      source = null
      if (!stopped) connect()
    },
    subscribe(listener: Listener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export type Feed = ReturnType<typeof createFeed>
