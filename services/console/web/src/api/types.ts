// The documents the console reads, as the services send them (see the root README's HTTP APIs and
// services/console's contract). Only the fields the console uses are spelled out.

export type Light = 'green' | 'yellow' | 'red'

export type Level = 'grid' | 'community' | 'street' | 'district' | 'city' | 'department'

export interface Me {
  person_id: string
  name: string
  role: string
  unit_id: string
  unit_name: string
  jurisdiction: { level: Level; unit_id: string }
  city_wide: boolean
}

export type CaseState =
  | 'opened'
  | 'assigned'
  | 'accepted'
  | 'in_progress'
  | 'resolved'
  | 'verified'
  | 'closed'
  | 'returned'
  | 'deferred'
  | 'voided'
  | 'in_consultation'
  | 'reopened'

export type RequestKind = 'return' | 'extension' | 'deferral' | 'void' | 'appeal'

/** A request waiting for approval (one at a time per case). */
export interface Pending {
  kind: RequestKind
  requested_by: string
  requested_role?: string
  reason?: string
  at?: string
  length?: string | null
  until?: string | null
  evidence?: string[]
}

export interface CaseSummary {
  id: string
  category: string
  priority: string
  tier: string
  state: CaseState
  grid_id: string | null
  community_id: string | null
  street_id: string | null
  district_id: string | null
  department_id: string | null
  unit_id: string | null
  assignee_id: string | null
  verifier_id: string | null
  location: { lon: number; lat: number } | null
  description: string
  resolve_by: string
  close_by: string
  accept_by?: string | null
  yellow_at?: string | null
  red_at?: string | null
  opened_at: string
  updated_at: string
  pending?: Pending | null
  consultation?: Record<string, unknown> | null
  overdue?: boolean
  light?: Light | null
  extensions?: number
  reworks?: number
  exempt_from_lateness?: boolean
  report_id?: string
  nature?: string
  version?: number
}

export interface TimelineEntry {
  seq: number
  event_id: string
  action: string
  actor_id: string
  actor_role: string
  from_state: CaseState | null
  to_state: CaseState
  note: string | null
  evidence: string[]
  at: string
  details: Record<string, unknown>
}

export interface CaseDetail extends CaseSummary {
  timeline: TimelineEntry[]
  // What this person may do now, when the server says so.
  allowed_actions?: string[]
}

export interface CasePage {
  items: CaseSummary[]
  next_cursor: string | null
}

/** One SSE message of handling's case stream: a timeline entry and the case as its commit left it. */
export interface StreamEvent extends TimelineEntry {
  position: number
  case_id: string
  committed_at: string
  case: Omit<
    CaseSummary,
    'id' | 'location' | 'description' | 'opened_at' | 'updated_at' | 'pending' | 'overdue' | 'light'
  >
}

export interface GridProperties {
  grid_id: string
  name?: string
  name_zh?: string
  community_id?: string
  street_id?: string
  district_id?: string
  [key: string]: unknown
}

export interface GridCollection {
  type: 'FeatureCollection'
  features: Array<{
    type: 'Feature'
    properties: GridProperties
    geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }
  }>
}

export interface RedMapPlace {
  id: string
  kind: string
  name: string
  name_zh?: string
  lon: number
  lat: number
  offers?: string[]
  [key: string]: unknown
}

export interface Counters {
  [name: string]: number
}

export interface Indicator {
  name: string
  name_zh: string
  variant: string
  value: string | null
}

export interface Assessment {
  subject_type: string
  subject_id: string
  name: string | null
  period: string
  counters: Counters
  closure_rate: string | null
  on_time_closure_rate: string | null
  score: string | null
  grade: string | null
  rank?: number | null
  indicators?: Indicator[]
}

export interface Rankings {
  level: string
  period: string
  rubric_version: string
  total: number
  items: Assessment[]
}

export interface TrendPoint {
  period: string
  opened: number
  recurring: number
  closed: number
}

export interface Trend {
  kind: string
  items: TrendPoint[]
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown }
}
