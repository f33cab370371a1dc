"""One handler per message: a step a person takes over HTTP, a case event dispatch published, a durable
timer that came due.

Each runs in one unit of work (``ports.py``): read the case (locked), apply the lifecycle, save the case
and its timeline, arm its timers and publish the raised events through the outbox. Nothing here knows
PostgreSQL or Kafka: the service wires the real adapters in (``bootstrap.py``), the unit tests fakes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from uuid import UUID

from services.handling.domain import (
    DEFAULT_POLICY,
    SYSTEM_ROLE,
    Actor,
    Assign,
    Case,
    Command,
    Escalate,
    HandlingPolicy,
    LifecycleError,
    Raised,
    RuleBroken,
    State,
    apply,
    open_case,
    routing,
)
from services.handling.domain.access import Viewer, can_see
from services.handling.domain.events import SOURCE
from services.handling.domain.merges import credit_merged_report
from services.handling.domain.supervision import Timer, supervision_command, timers_for
from services.handling.ports import Transactions, UnitOfWork
from shared.city import City
from shared.consuming import Outcome, PoisonEvent
from shared.events import Envelope
from shared.events.base import Event
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.triage import ReportMergedIntoCase

log = logging.getLogger(__name__)

# Who takes the steps handling's own timers give.
TIMERS_ACTOR = Actor(id=SOURCE, role=SYSTEM_ROLE)


class CaseNotFound(Exception):
    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class CaseHidden(Exception):
    """The person may not see the case, let alone act on it."""

    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"case {case_id} is outside your jurisdiction")
        self.case_id = case_id


# --- what people ask ----------------------------------------------------------------------------


async def take_step(
    transactions: Transactions,
    *,
    case_id: UUID,
    command: Command,
    viewer: Viewer,
    now: datetime,
    policy: HandlingPolicy = DEFAULT_POLICY,
) -> Case:
    """Apply a person's command to a case; its event is in the outbox when this returns."""
    return await _take(transactions, case_id, lambda case: command, viewer=viewer, now=now, policy=policy)


async def escalate(
    transactions: Transactions,
    *,
    case_id: UUID,
    note: str,
    viewer: Viewer,
    now: datetime,
    policy: HandlingPolicy,
    city: City,
) -> Case:
    """The holder sends the case up one tier, to that tier's holder of its place. Who that is depends on
    the case's tier and places, so it is decided on the case as locked, not on an earlier read of it."""

    def escalation(case: Case) -> Command:
        holder = routing.holder_above(city, case, policy)
        if holder is None:
            raise RuleBroken(f"a {case.tier} case cannot be escalated further")
        return Escalate(holder=holder, note=note)

    return await _take(transactions, case_id, escalation, viewer=viewer, now=now, policy=policy)


async def _take(
    transactions: Transactions,
    case_id: UUID,
    command_for: Callable[[Case], Command],
    *,
    viewer: Viewer,
    now: datetime,
    policy: HandlingPolicy,
) -> Case:
    """One step in one unit of work: lock the case, decide the command on it, apply, commit."""
    async with transactions() as uow:
        case = _visible(await uow.cases.get(case_id, for_update=True), case_id, viewer)
        command = command_for(case)
        after, raised = apply(case, command, viewer.actor, now, policy)
        await commit_step(uow, case, after, raised, now=now, policy=policy)
    log.info(
        "case step taken",
        extra={"case_id": str(case_id), "action": command.step.value, "state": after.state.value},
    )
    return after


async def visible_case(transactions: Transactions, *, case_id: UUID, viewer: Viewer) -> Case:
    """The case as one snapshot shows it, if the viewer may see it."""
    async with transactions(read_only=True) as uow:
        case = await uow.cases.get(case_id)
    return _visible(case, case_id, viewer)


def _visible(case: Case | None, case_id: UUID, viewer: Viewer) -> Case:
    if case is None:
        raise CaseNotFound(case_id)
    if not can_see(viewer, case):
        raise CaseHidden(case_id)
    return case


async def commit_step(
    uow: UnitOfWork,
    before: Case,
    after: Case,
    raised: tuple[Raised, ...],
    *,
    now: datetime,
    policy: HandlingPolicy,
) -> None:
    """In the unit of work: the case and its new timeline entries, its events, and its timers as the
    new state calls for."""
    await uow.cases.save(before, after)
    await uow.publisher.publish(raised, at=now)
    await uow.cases.arm_timers(after.id, timers_for(after, policy))


# --- case events from dispatch ------------------------------------------------------------------


async def on_case_opened(
    uow: UnitOfWork, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    opened = envelope.data
    assert isinstance(opened, CaseOpened)
    case = open_case(opened, event_id=UUID(envelope.id), actor=_system(envelope), now=now)
    if not await uow.cases.add(case):
        return "ignored"  # the same case opened under another event id: it exists, nothing to do
    log.info("case opened", extra={"case_id": str(case.id), "event_id": envelope.id})
    return "processed"


async def on_case_assigned(
    uow: UnitOfWork, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    assigned = envelope.data
    assert isinstance(assigned, CaseAssigned)
    case = await _opened(uow, assigned.case_id, f"case {assigned.case_id} was assigned but never opened")
    command = Assign.of(assigned, event_id=UUID(envelope.id))
    if case.state is not State.OPENED and _already_assigned_so(case, command):
        return "ignored"
    try:
        after, raised = apply(case, command, _system(envelope), now, policy)
    except LifecycleError as exc:
        raise PoisonEvent(f"cannot assign case {case.id}: {exc}") from exc
    await commit_step(uow, case, after, raised, now=now, policy=policy)
    log.info("case assigned", extra={"case_id": str(case.id), "event_id": envelope.id})
    return "processed"


async def on_report_merged(
    uow: UnitOfWork, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    """A duplicate report joined the case: a 'merge' timeline entry credits its reporter."""
    merged = envelope.data
    assert isinstance(merged, ReportMergedIntoCase)
    missing = f"report {merged.report_id} merged into case {merged.case_id}, never opened"
    case = await _opened(uow, merged.case_id, missing)
    after = credit_merged_report(case, merged, event_id=UUID(envelope.id), now=now)
    if after is case:
        return "ignored"
    await uow.cases.save(case, after)
    log.info("report merged", extra={"case_id": str(case.id), "report_id": str(merged.report_id)})
    return "processed"


async def _opened(uow: UnitOfWork, case_id: UUID, missing: str) -> Case:
    """The case an event of dispatch's is about, locked. Dispatch publishes a case's opening before
    anything else about it, on the same partition: a case missing here will never appear."""
    case = await uow.cases.get(case_id, for_update=True)
    if case is None:
        raise PoisonEvent(missing)
    return case


def _already_assigned_so(case: Case, command: Assign) -> bool:
    return (case.assignee_id, case.verifier_id) == (command.assignee_id, command.verifier_id)


def _system(envelope: Envelope) -> Actor:
    return Actor(id=envelope.source, role=SYSTEM_ROLE)


CaseEventHandler = Callable[[UnitOfWork, Envelope, datetime, HandlingPolicy], Awaitable[Outcome]]
CASE_EVENT_HANDLERS: Mapping[type[Event], CaseEventHandler] = {
    CaseOpened: on_case_opened,
    CaseAssigned: on_case_assigned,
    ReportMergedIntoCase: on_report_merged,
}


async def on_case_event(
    uow: UnitOfWork, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    """Any event of the case-events topic: dispatch's are handled, the rest (our own steps, coming
    back from the topic, and events of other kinds) ignored."""
    if envelope.source == SOURCE:
        return "ignored"
    handler = CASE_EVENT_HANDLERS.get(type(envelope.data))
    if handler is None:
        return "ignored"
    return await handler(uow, envelope, now, policy)


# --- durable timers -----------------------------------------------------------------------------


async def fire_timer(
    uow: UnitOfWork, *, case_id: UUID, timer: Timer, now: datetime, policy: HandlingPolicy, city: City
) -> str:
    """Take the step a due timer gives; how it went: fired, stale (the case moved on since the timer
    was armed), no_case, top_tier or no_holder (an escalation with nowhere to go)."""
    case = await uow.cases.get(case_id, for_update=True)
    if case is None:
        return "no_case"
    command: Command
    if timer.kind == "escalate":
        try:
            holder = routing.holder_above(city, case, policy)
        except routing.NoHolder as exc:
            log.warning("cannot escalate automatically", extra={"case_id": str(case.id), "error": str(exc)})
            return "no_holder"
        if holder is None:
            return "top_tier"
        note = f"unresolved at red ({timer.due_at.isoformat()}): escalated by policy"
        command = Escalate(holder=holder, automatic=True, note=note)
    else:
        command = supervision_command(timer)
    try:
        after, raised = apply(case, command, TIMERS_ACTOR, now, policy)
    except LifecycleError as exc:
        log.info(
            "timer no longer applies",
            extra={"case_id": str(case.id), "kind": timer.kind, "reason": str(exc)},
        )
        return "stale"
    await commit_step(uow, case, after, raised, now=now, policy=policy)
    return "fired"
