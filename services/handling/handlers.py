"""One handler per message: a step a person takes over HTTP, or a case event dispatch published.

Each runs in one transaction: read the case (locked), apply the lifecycle, write the case and its
timeline, and put the raised events in the outbox. Nothing here talks to Kafka directly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from uuid import UUID

import asyncpg

from services.handling import repository
from services.handling.domain import (
    DEFAULT_POLICY,
    SYSTEM_ROLE,
    Actor,
    Assign,
    Case,
    Command,
    HandlingPolicy,
    LifecycleError,
    Raised,
    State,
    apply,
    open_case,
)
from services.handling.domain.access import Viewer, can_see
from services.handling.domain.merges import credit_merged_report
from services.handling.domain.supervision import timers_for
from shared.consuming import Handler, Outcome, PoisonEvent
from shared.events import Envelope, encode
from shared.events.base import Event
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.triage import ReportMergedIntoCase
from shared.outbox import enqueue

log = logging.getLogger(__name__)

# The CloudEvents source of everything handling publishes.
SOURCE = "/gridloop/handling"


class CaseNotFound(Exception):
    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class CaseHidden(Exception):
    """The person may not see the case, let alone act on it."""

    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"case {case_id} is outside your jurisdiction")
        self.case_id = case_id


# --- steps people take -------------------------------------------------------------------------


async def take_step(
    pool: asyncpg.Pool,
    schema: str,
    *,
    case_id: UUID,
    command: Command,
    viewer: Viewer,
    now: datetime,
    topic_prefix: str = "",
    policy: HandlingPolicy = DEFAULT_POLICY,
) -> Case:
    """Apply a person's command to a case; its event is in the outbox when this returns."""
    async with pool.acquire() as conn, conn.transaction():
        case = await repository.load_case(conn, schema, case_id, for_update=True)
        if case is None:
            raise CaseNotFound(case_id)
        if not can_see(viewer, case):
            raise CaseHidden(case_id)
        after, raised = apply(case, command, viewer.actor, now, policy)
        await commit_step(
            conn, schema, case, after, raised, now=now, topic_prefix=topic_prefix, policy=policy
        )
    log.info(
        "case step taken",
        extra={"case_id": str(case_id), "action": command.step.value, "state": after.state.value},
    )
    return after


async def commit_step(
    conn: asyncpg.Connection,
    schema: str,
    before: Case,
    after: Case,
    raised: tuple[Raised, ...],
    *,
    now: datetime,
    topic_prefix: str,
    policy: HandlingPolicy,
) -> None:
    """In the caller's transaction: the case and its new timeline entries, its events in the outbox,
    and its timers as the new state calls for."""
    await repository.save_step(conn, schema, before, after)
    for event in raised:
        record = encode(event.event, source=SOURCE, event_id=event.event_id, time=now)
        await enqueue(conn, schema, replace(record, topic=topic_prefix + record.topic))
    await repository.replace_timers(conn, schema, after.id, timers_for(after, policy))


# --- case events from dispatch -----------------------------------------------------------------


async def on_case_opened(
    conn: asyncpg.Connection, schema: str, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    opened = envelope.data
    assert isinstance(opened, CaseOpened)
    case = open_case(opened, event_id=UUID(envelope.id), actor=_system(envelope), now=now)
    if not await repository.insert_case(conn, schema, case):
        return "ignored"  # the same case opened under another event id: it exists, nothing to do
    log.info("case opened", extra={"case_id": str(case.id), "event_id": envelope.id})
    return "processed"


async def on_case_assigned(
    conn: asyncpg.Connection, schema: str, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    assigned = envelope.data
    assert isinstance(assigned, CaseAssigned)
    case = await repository.load_case(conn, schema, assigned.case_id, for_update=True)
    if case is None:
        # Opened always precedes assigned on the case's partition, so this case can never appear.
        raise PoisonEvent(f"case {assigned.case_id} was assigned but never opened")
    command = Assign.of(assigned, event_id=UUID(envelope.id))
    if case.state is not State.OPENED and _already_assigned_so(case, command):
        return "ignored"
    try:
        after, raised = apply(case, command, _system(envelope), now, policy)
    except LifecycleError as exc:
        raise PoisonEvent(f"cannot assign case {case.id}: {exc}") from exc
    await commit_step(conn, schema, case, after, raised, now=now, topic_prefix="", policy=policy)
    log.info("case assigned", extra={"case_id": str(case.id), "event_id": envelope.id})
    return "processed"


async def on_report_merged(
    conn: asyncpg.Connection, schema: str, envelope: Envelope, now: datetime, policy: HandlingPolicy
) -> Outcome:
    """A duplicate report joined the case: a 'merge' timeline entry credits its reporter."""
    merged = envelope.data
    assert isinstance(merged, ReportMergedIntoCase)
    case = await repository.load_case(conn, schema, merged.case_id, for_update=True)
    if case is None:
        # Dispatch publishes the opening before any merge into the case, on the same partition.
        raise PoisonEvent(f"report {merged.report_id} merged into case {merged.case_id}, never opened")
    after = credit_merged_report(case, merged, event_id=UUID(envelope.id), now=now)
    if after is case:
        return "ignored"
    await repository.save_step(conn, schema, case, after)
    log.info("report merged", extra={"case_id": str(case.id), "report_id": str(merged.report_id)})
    return "processed"


def _already_assigned_so(case: Case, command: Assign) -> bool:
    return (case.assignee_id, case.verifier_id) == (command.assignee_id, command.verifier_id)


def _system(envelope: Envelope) -> Actor:
    return Actor(id=envelope.source, role=SYSTEM_ROLE)


CaseEventHandler = Callable[[asyncpg.Connection, str, Envelope, datetime, HandlingPolicy], Awaitable[Outcome]]
CASE_EVENT_HANDLERS: Mapping[type[Event], CaseEventHandler] = {
    CaseOpened: on_case_opened,
    CaseAssigned: on_case_assigned,
    ReportMergedIntoCase: on_report_merged,
}


def case_event_handler(
    schema: str, clock: Callable[[], datetime], policy: HandlingPolicy = DEFAULT_POLICY
) -> Handler:
    """The handler the effectively-once consumer calls inside its inbox transaction."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope) -> Outcome:
        if envelope.source == SOURCE:
            return "ignored"  # our own steps, coming back from the topic
        handler = CASE_EVENT_HANDLERS.get(type(envelope.data))
        if handler is None:
            return "ignored"
        return await handler(conn, schema, envelope, clock(), policy)

    return handle
