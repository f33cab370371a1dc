// The steps a person can take on a case and how each is sent to handling. Which steps the drawer
// offers: the server's `allowed_actions` when the case document carries them; otherwise the steps of
// the case's state (handling's lifecycle table, services/handling/domain/lifecycle.py) that this
// person's part in the case admits. handling decides either way: a refusal is shown as it answers.
import type { CaseDetail, CaseState, Me, RequestKind } from '../api/types'

export type Field =
  | 'note'
  | 'evidence'
  | 'length'
  | 'until'
  | 'standards'
  | 'assignee'
  | 'verifier'
  | 'satisfaction'
  | 'invited'
  | 'unit'
  | 'lead'
  | 'supporting'
  | 'deadline'

export interface ActionSpec {
  // The path under /v1/cases/{id}
  path: string
  fields: Field[]
  // A note (reason) the server requires.
  noteRequired?: boolean
  body: (values: ActionValues) => Record<string, unknown>
}

export interface ActionValues {
  note: string
  evidence: string[]
  length: string
  until: string
  standards: string[]
  assignee: string
  verifier: string
  satisfaction: number
  invited: string[]
  unit: string
  lead: string
  supporting: string[]
  deadline: string
}

export function emptyValues(): ActionValues {
  return {
    note: '',
    evidence: [],
    length: 'P1D',
    until: '',
    standards: [],
    assignee: '',
    verifier: '',
    satisfaction: 5,
    invited: [],
    unit: '',
    lead: '',
    supporting: [],
    deadline: '',
  }
}

const note = (values: ActionValues) => (values.note.trim() ? { note: values.note.trim() } : {})
const REQUEST_KINDS: RequestKind[] = ['return', 'extension', 'deferral', 'void', 'appeal']

export const ACTIONS: Record<string, ActionSpec> = {
  accept: { path: 'accept', fields: ['note'], body: note },
  start: { path: 'start', fields: ['note'], body: note },
  resume: { path: 'resume', fields: ['note'], body: note },
  resolve: { path: 'resolve', fields: ['note', 'evidence'], body: (v) => ({ ...note(v), evidence: v.evidence }) },
  pass_verification: {
    path: 'verify',
    fields: ['note', 'evidence'],
    body: (v) => ({ ...note(v), passed: true, evidence: v.evidence }),
  },
  fail_verification: {
    path: 'verify',
    fields: ['note'],
    noteRequired: true,
    body: (v) => ({ ...note(v), passed: false }),
  },
  close: { path: 'close', fields: ['note', 'standards'], body: (v) => ({ ...note(v), standards_met: v.standards }) },
  callback: {
    path: 'callback',
    fields: ['satisfaction', 'note'],
    body: (v) => ({ ...note(v), satisfaction: v.satisfaction, handler_caused: false }),
  },
  reopen: {
    path: 'callback',
    fields: ['satisfaction', 'note'],
    noteRequired: true,
    body: (v) => ({ ...note(v), satisfaction: v.satisfaction, handler_caused: true }),
  },
  escalate: { path: 'escalate', fields: ['note'], noteRequired: true, body: note },
  reassign: {
    path: 'reassign',
    fields: ['assignee', 'verifier', 'standards', 'note'],
    body: (v) => ({
      ...note(v),
      assignee_id: v.assignee.trim(),
      ...(v.verifier.trim() ? { verifier_id: v.verifier.trim() } : {}),
      standards_met: v.standards,
    }),
  },
  start_consultation: {
    path: 'consultation',
    fields: ['invited', 'note'],
    noteRequired: true,
    body: (v) => ({ ...note(v), invited_units: v.invited }),
  },
  record_opinion: {
    path: 'consultation/opinions',
    fields: ['unit', 'note'],
    noteRequired: true,
    body: (v) => ({ ...note(v), unit_id: v.unit.trim() }),
  },
  decide_consultation: {
    path: 'consultation/decision',
    fields: ['lead', 'supporting', 'deadline', 'note'],
    body: (v) => ({
      ...note(v),
      lead_unit: v.lead.trim(),
      supporting_units: v.supporting,
      deadline: new Date(v.deadline).toISOString(),
    }),
  },
  ...Object.fromEntries(
    REQUEST_KINDS.flatMap((kind) => [
      [
        `request_${kind}`,
        {
          path: `requests/${kind}`,
          fields: [
            'note',
            ...(kind === 'extension' ? (['length'] as Field[]) : []),
            ...(kind === 'deferral' ? (['until'] as Field[]) : []),
            ...(kind === 'appeal' ? (['evidence'] as Field[]) : []),
          ],
          noteRequired: true,
          body: (v: ActionValues) => ({
            ...note(v),
            ...(kind === 'extension' ? { length: v.length } : {}),
            ...(kind === 'deferral' && v.until ? { until: new Date(v.until).toISOString() } : {}),
            ...(kind === 'appeal' ? { evidence: v.evidence } : {}),
          }),
        } satisfies ActionSpec,
      ],
      [`approve_${kind}`, { path: `requests/${kind}/approve`, fields: ['note'], body: note } satisfies ActionSpec],
      [
        `reject_${kind}`,
        { path: `requests/${kind}/reject`, fields: ['note'], noteRequired: true, body: note } satisfies ActionSpec,
      ],
    ]),
  ),
}

type Part = 'holder' | 'operator' | 'approver' | 'verifier' | 'caller' | 'convener' | 'invited'

const WORKING: CaseState[] = ['assigned', 'accepted', 'in_progress', 'reopened']
const HOLDING_ON: CaseState[] = ['assigned', 'accepted']
const WORKING_ON: CaseState[] = ['accepted', 'in_progress']
const APPEALABLE: CaseState[] = [
  'assigned',
  'accepted',
  'in_progress',
  'resolved',
  'verified',
  'closed',
  'returned',
  'deferred',
  'in_consultation',
  'reopened',
]

// handling's lifecycle table, as (states, step, who may take it).
const TABLE: Array<[CaseState[], string, Part[]]> = [
  [['opened', 'returned'], 'reassign', ['operator']],
  [['assigned', 'reopened'], 'accept', ['holder']],
  [['accepted'], 'start', ['holder']],
  [WORKING_ON, 'resolve', ['holder']],
  [['resolved'], 'pass_verification', ['verifier']],
  [['resolved'], 'fail_verification', ['verifier']],
  [['verified'], 'close', ['verifier']],
  [['closed'], 'callback', ['caller']],
  [['closed'], 'reopen', ['caller']],
  [['deferred'], 'resume', ['holder']],
  [WORKING, 'escalate', ['holder']],
  [WORKING, 'start_consultation', ['convener']],
  [['in_consultation'], 'record_opinion', ['invited']],
  [['in_consultation'], 'decide_consultation', ['convener']],
  [HOLDING_ON, 'request_return', ['holder']],
  [WORKING_ON, 'request_extension', ['holder']],
  [WORKING_ON, 'request_deferral', ['holder']],
  [WORKING, 'request_void', ['holder', 'operator']],
  [APPEALABLE, 'request_appeal', ['holder']],
]

const APPROVER_ROLES = new Set(['grid_chief', 'community_officer', 'street_officer', 'operator', 'supervisor'])
const VERIFIER_ROLES = new Set(['supervisor'])
const CALLER_ROLES = new Set(['operator', 'supervisor'])
const CONVENER_ROLES = new Set(['street_officer', 'operator'])

function plays(part: Part, item: CaseDetail, me: Me): boolean {
  switch (part) {
    case 'holder':
      return item.assignee_id === me.person_id
    case 'operator':
      return me.role === 'operator'
    case 'approver':
      return APPROVER_ROLES.has(me.role) && item.pending?.requested_by !== me.person_id
    case 'verifier': {
      const resolver = [...item.timeline].reverse().find((entry) => entry.action === 'resolve')?.actor_id
      return (item.verifier_id === me.person_id || VERIFIER_ROLES.has(me.role)) && resolver !== me.person_id
    }
    case 'caller':
      return CALLER_ROLES.has(me.role)
    case 'convener':
      return item.assignee_id === me.person_id || CONVENER_ROLES.has(me.role)
    case 'invited': {
      const invited = (item.consultation?.invited_units as string[] | undefined) ?? []
      return invited.includes(me.unit_id)
    }
  }
}

// Tiers whose cases may go to consultation (city/handling.yaml consultation tiers).
const CONSULTATION_TIERS = new Set(['street', 'district'])

/** Conditions of the table's rows that the case alone decides. */
function possible(step: string, item: CaseDetail, now: number): boolean {
  if (step.startsWith('request_') && item.pending) return false
  if (step === 'start_consultation') return CONSULTATION_TIERS.has(item.tier) && !item.pending
  if (step === 'escalate') return !item.pending
  if (step === 'request_appeal') {
    const resolved = [...item.timeline].reverse().find((entry) => entry.action === 'resolve')
    return !item.exempt_from_lateness && (resolved ? Date.parse(resolved.at) : now) > Date.parse(item.resolve_by)
  }
  return true
}

/** The steps the drawer offers this person on this case, in the lifecycle table's order. */
export function actionsFor(item: CaseDetail, me: Me, now = Date.now()): string[] {
  if (item.allowed_actions) return item.allowed_actions.filter((action) => action in ACTIONS)
  const steps: string[] = []
  for (const [states, step, parts] of TABLE) {
    if (!states.includes(item.state) || !possible(step, item, now)) continue
    if (parts.some((part) => plays(part, item, me))) steps.push(step)
  }
  if (item.pending && plays('approver', item, me)) {
    steps.unshift(`approve_${item.pending.kind}`, `reject_${item.pending.kind}`)
  }
  return steps
}

/** The standards handling names when it refuses a filing or a closing for them ("… standards not met for
 * <category>: a, b"). */
export function missingStandards(message: string): string[] {
  const named = /standards not met for [^:]+: (.+)$/.exec(message)
  return named ? named[1]!.split(', ').map((standard) => standard.trim()).filter(Boolean) : []
}
