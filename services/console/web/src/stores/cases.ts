// The cases the person may see, kept current by the live feed: loaded once from handling's list, then
// every stream event updates its case; a case first seen on the stream is read once (for its point and
// description, which the stream does not carry).
import { reactive, ref } from 'vue'
import { api } from '../api/client'
import type { CaseDetail, CasePage, CaseSummary, Pending, RequestKind, StreamEvent } from '../api/types'

// Enough pages to hold a district's open cases; the list is newest first.
const MAX_PAGES = 20

export function createCaseStore(fetchCase = (id: string) => api.get<CaseDetail>('handling', `/v1/cases/${id}`)) {
  const byId = reactive(new Map<string, CaseSummary>())
  const loading = ref(false)
  // The first list has been read (the views can tell an empty city from one not read yet).
  const loaded = ref(false)
  const pendingReads = new Set<string>()
  const version = ref(0)

  function put(item: CaseSummary): void {
    const known = byId.get(item.id)
    if (known && Date.parse(known.updated_at) > Date.parse(item.updated_at)) {
      // An older read still brings what the stream never carries.
      const { location, description, opened_at, report_id, nature } = item
      byId.set(item.id, { ...known, location, description, opened_at, report_id, nature })
    } else {
      byId.set(item.id, { ...known, ...item })
    }
    version.value += 1
  }

  async function load(query: Record<string, string | string[]> = {}): Promise<void> {
    loading.value = true
    try {
      let cursor: string | null = null
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result: CasePage = await api.get<CasePage>('handling', '/v1/cases', {
          ...query,
          limit: '200',
          ...(cursor ? { cursor } : {}),
        })
        result.items.forEach(put)
        cursor = result.next_cursor
        if (!cursor) break
      }
      loaded.value = true
    } finally {
      loading.value = false
    }
  }

  async function readOnce(id: string): Promise<void> {
    if (pendingReads.has(id)) return
    pendingReads.add(id)
    try {
      const detail = await fetchCase(id)
      const { timeline: _timeline, ...summary } = detail
      put(summary)
    } catch {
      // not visible (any more) or gone: the stream's view of it stays
    } finally {
      pendingReads.delete(id)
    }
  }

  function apply(event: StreamEvent): void {
    const known = byId.get(event.case_id)
    const at = event.committed_at
    if (known && Date.parse(known.updated_at) > Date.parse(at)) return
    const merged: CaseSummary = {
      ...(known ?? {
        id: event.case_id,
        location: null,
        description: '',
        opened_at: at,
      }),
      ...event.case,
      id: event.case_id,
      updated_at: at,
      pending: pendingAfter(known?.pending ?? null, event),
    } as CaseSummary
    byId.set(event.case_id, merged)
    version.value += 1
    if (!known || event.action === 'open') void readOnce(event.case_id)
  }

  return { byId, loading, loaded, version, put, load, apply, readOnce }
}

/** What waits for a decision after an event: a request starts one, a decision ends it. */
function pendingAfter(before: CaseSummary['pending'], event: StreamEvent): CaseSummary['pending'] {
  const request = /^request_(return|extension|deferral|void|appeal)$/.exec(event.action)
  if (request) {
    return {
      ...(event.details as Partial<Pending>),
      kind: request[1] as RequestKind,
      requested_by: event.actor_id,
      requested_role: event.actor_role,
      reason: event.note ?? '',
      at: event.at,
    }
  }
  if (/^(approve|reject)_(return|extension|deferral|void|appeal)$/.test(event.action)) return null
  return before
}

export type CaseStore = ReturnType<typeof createCaseStore>
