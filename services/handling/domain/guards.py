"""The guards of the lifecycle table: who may take a step (``who``), and whether the case's limits and
the command's content allow it now (``when``). Each returns why not, or None.

A ``who`` refusal is a permission problem (HTTP 403); a ``when`` refusal is a rule of the process (a
limit passed, a cap reached, nothing pending: HTTP 409 or 422 at the edge).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.handling.domain.access import jurisdiction_refusal
from services.handling.domain.commands import (
    Assign,
    Close,
    Command,
    Decide,
    DecideConsultation,
    Escalate,
    Reassign,
    RecordOpinion,
    Request,
    Resolve,
    StartConsultation,
    Supervise,
)
from services.handling.domain.model import SYSTEM_ROLE, Actor, Case, RequestKind, Step
from services.handling.domain.policy import HandlingPolicy
from shared.worktime import Limit


@dataclass(frozen=True)
class Context:
    policy: HandlingPolicy
    now: datetime


Guard = Callable[[Case, Command, Actor, Context], str | None]


def _all(*guards: Guard) -> Guard:
    def combined(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
        return next((r for g in guards if (r := g(case, command, actor, context)) is not None), None)

    return combined


def _any(*guards: Guard) -> Guard:
    """Allowed when one of the guards allows; otherwise the first one's reason."""

    def either(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
        refusals = [g(case, command, actor, context) for g in guards]
        return None if None in refusals else refusals[0]

    return either


def anyone(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    return None


# --- who --------------------------------------------------------------------------------------------


def by_system(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if actor.role != SYSTEM_ROLE:
        return f"only handling's own timers or dispatch may {command.step.value} a case"
    if isinstance(command, Assign) and command.verifier_id == command.assignee_id:
        return "the verifier of a case must not be its assignee"
    return None


def by_holder(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if actor.id != case.assignee_id:
        return f"only the holder of case {case.id} ({case.assignee_id}) may {command.step.value} it"
    return None


def by_roles(roles: Callable[[Case, Command, HandlingPolicy], tuple[str, ...]]) -> Guard:
    """A person in one of the roles, acting within their jurisdiction."""

    def guard(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
        allowed = roles(case, command, context.policy)
        if actor.role not in allowed:
            who = ", ".join(allowed) or "nobody (see city/handling.yaml)"
            return f"{command.step.value} on a {case.tier} case is for: {who}; not a {actor.role}"
        return jurisdiction_refusal(actor, case)

    return guard


def roles(*names: str) -> Guard:
    return by_roles(lambda case, command, policy: names)


def by_approver(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, Decide)
    kind = command.kind
    refusal = by_roles(lambda c, _, policy: policy.approver_roles(kind, c.tier))(
        case, command, actor, context
    )
    if refusal is None and case.pending is not None and actor.id == case.pending.requested_by:
        return f"whoever asked for a {kind.value} may not approve or reject it"
    return refusal


def by_verifier(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if actor.id == case.verifier_id:
        return None
    if by_roles(lambda c, _, policy: policy.verifier_roles)(case, command, actor, context) is None:
        return None
    return (
        f"only the verifier of case {case.id} ({case.verifier_id}) or a supervisor over it may "
        f"{command.step.value} it"
    )


def not_the_resolver(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    resolution = case.last(Step.RESOLVE)
    if resolution is not None and resolution.actor_id == actor.id:
        return "whoever resolved a case may not verify it"
    return None


def by_caller(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    return by_roles(lambda c, _, policy: policy.callback_roles)(case, command, actor, context)


def by_convener(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if case.consultation is not None and actor.id == case.consultation.convened_by:
        return None
    return _any(by_holder, by_roles(lambda c, _, policy: policy.convener_roles))(
        case, command, actor, context
    )


def by_invited_party(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, RecordOpinion)
    assert case.consultation is not None
    if command.unit_id not in case.consultation.invited_units:
        return f"unit {command.unit_id} was not invited to the consultation on case {case.id}"
    if actor.unit_id == command.unit_id or actor.id == case.consultation.convened_by:
        return None
    return f"only someone serving {command.unit_id} (or the convener) records its opinion"


# --- when -------------------------------------------------------------------------------------------


def nothing_pending(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if case.pending is not None:
        return f"a {case.pending.kind.value} request is waiting for a decision; decide it first"
    return None


def has_pending(kind: RequestKind) -> Guard:
    def guard(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
        if case.pending is None or case.pending.kind is not kind:
            return f"no {kind.value} request is waiting for a decision on case {case.id}"
        return None

    return guard


def with_reason(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if not (command.note and command.note.strip()):
        return f"{command.step.value} needs a reason (note)"
    return None


def with_evidence(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if not getattr(command, "evidence", ()):
        return f"{command.step.value} needs evidence (links to photos or documents)"
    return None


def resolvable(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, Resolve)
    return nothing_pending(case, command, actor, context)


def within_return_limit(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    limit, clock = context.policy.return_within, context.policy.clock
    since = case.assigned_at or case.opened_at
    if clock.between(since, context.now) > clock.length(limit):
        return f"the return limit ({limit}) has passed: the receiver owns the case now"
    return None


def extension_allowed(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, Request)
    policy = context.policy
    if case.extensions >= policy.extension_max_count:
        return f"case {case.id} already had {case.extensions} extensions, the most allowed"
    try:
        asked = Limit.parse(command.length or "")
    except ValueError as exc:
        return f"an extension needs a length such as P2D: {exc}"
    clock = policy.clock
    if clock.length(asked) > clock.length(policy.extension_max_length):
        return f"an extension may add at most {policy.extension_max_length}, not {asked}"
    return None


def deferral_allowed(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, Request)
    policy, now = context.policy, context.now
    if command.until is None or command.until <= now:
        return "a deferral needs an 'until' in the future"
    longest = policy.clock.deadline(now, policy.deferral_max_length)
    if command.until > longest:
        return f"a deferral may last at most {policy.deferral_max_length} (until {longest.isoformat()})"
    return None


def late(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    if case.exempt_from_lateness:
        return f"case {case.id} is already exempt from lateness"
    resolution = case.last(Step.RESOLVE)
    handled_at = resolution.at if resolution is not None else context.now
    if handled_at <= case.resolve_by:
        return f"case {case.id} is not late: nothing to appeal"
    return None


def below_top_tier(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, Escalate)
    above = context.policy.tier_above(case.tier)
    if above is None:
        return f"a {case.tier} case cannot be escalated further"
    if command.holder.tier != above:
        return f"a {case.tier} case escalates to the {above} tier, not {command.holder.tier}"
    return None


def consultable(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, StartConsultation)
    if case.tier not in context.policy.consultation_tiers:
        tiers = ", ".join(context.policy.consultation_tiers)
        return f"only {tiers} cases go to consultation; this one is at the {case.tier} tier"
    return nothing_pending(case, command, actor, context)


def decision_valid(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, DecideConsultation)
    assert case.consultation is not None
    if command.deadline <= context.now:
        return "the consultation's deadline must be in the future"
    parties = {*case.consultation.invited_units, case.unit_id}
    if command.holder.unit_id not in parties:
        return f"the lead unit {command.holder.unit_id} took no part in the consultation"
    return None


def standards_met(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    """Closing: the category's closing standards; filing from manual triage: its filing standards."""
    assert isinstance(command, Close | Reassign)
    kind, required = (
        ("closing", context.policy.closing_standards)
        if isinstance(command, Close)
        else ("filing", context.policy.filing_standards)
    )
    missing = [s for s in required.get(case.category, ()) if s not in command.standards_met]
    if missing:
        return f"{kind} standards not met for {case.category}: {', '.join(missing)}"
    return None


def supervision_level(case: Case, command: Command, actor: Actor, context: Context) -> str | None:
    assert isinstance(command, Supervise)
    if command.level not in (Step.REMIND, Step.YELLOW_CARD, Step.RED_CARD):
        return f"{command.level.value} is not a supervision level"
    return None


all_of = _all
any_of = _any
