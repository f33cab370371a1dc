// Test doubles of the browser's EventSource and of fetch: what the console's stores talk to.
import type { StreamEvent } from '../src/api/types'

export class FakeEventSource {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSED = 2
  readyState = FakeEventSource.CONNECTING
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent<string>) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  closed = false

  constructor(readonly url: string) {}

  open(): void {
    this.readyState = FakeEventSource.OPEN
    this.onopen?.(new Event('open'))
  }

  send(event: StreamEvent, id = event.position): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(event), lastEventId: String(id) }))
  }

  /** The connection dropped and the browser is reconnecting by itself (with Last-Event-ID). */
  drop(): void {
    this.readyState = FakeEventSource.CONNECTING
    this.onerror?.(new Event('error'))
  }

  /** The server refused the connection (a 401, say): the browser gives up. */
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED
    this.onerror?.(new Event('error'))
  }

  close(): void {
    this.closed = true
    this.readyState = FakeEventSource.CLOSED
  }
}

export function streamEvent(position: number, overrides: Partial<StreamEvent> = {}): StreamEvent {
  const at = overrides.committed_at ?? new Date(Date.UTC(2026, 6, 1, 2, 0, position)).toISOString()
  return {
    seq: 1,
    event_id: `00000000-0000-0000-0000-${String(position).padStart(12, '0')}`,
    action: 'accept',
    actor_id: 'w-1',
    actor_role: 'grid_worker',
    from_state: 'assigned',
    to_state: 'accepted',
    note: null,
    evidence: [],
    at,
    details: {},
    position,
    case_id: 'c-1',
    committed_at: at,
    case: {
      state: 'accepted',
      category: 'city_appearance.garbage_overflow',
      priority: 'normal',
      tier: 'grid',
      grid_id: 'g-1',
      community_id: 'c',
      street_id: 's',
      district_id: 'd',
      department_id: null,
      unit_id: 'g-1',
      assignee_id: 'w-1',
      verifier_id: 'chief-1',
      resolve_by: '2026-07-02T02:00:00Z',
      close_by: '2026-07-03T02:00:00Z',
      yellow_at: '2026-07-01T20:00:00Z',
      red_at: '2026-07-02T02:00:00Z',
    },
    ...overrides,
  }
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}
