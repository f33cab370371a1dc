"""The handlers of what comes without a person: dispatch's case events and handling's own due timers,
over in-memory ports. Redelivered events change nothing; a timer of a case that moved on is spent."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.handling import handlers
from services.handling.domain import DEFAULT_POLICY, State, Step
from services.handling.domain.events import SOURCE
from services.handling.domain.model import Annotation
from services.handling.domain.supervision import Timer, timers_for
from shared.consuming import PoisonEvent
from shared.events import Envelope, decode, encode
from shared.events.base import Event
from tests.builders import case_assigned, case_opened, report_merged
from tests.unit.handling.conftest import CITY, CITY_COMMUNITY_OFFICER, NOW, CaseBook, assigned_in_the_city
from tests.unit.handling.fakes import FakeTransactions

DISPATCH_SOURCE = "/gridloop/dispatch"


def envelope(event: Event, *, source: str = DISPATCH_SOURCE) -> Envelope:
    """The event as the consumer hands it over: encoded and decoded again, under a fresh id."""
    record = encode(event, source=source, event_id=uuid.uuid4(), time=NOW)
    return decode(record.headers, record.value)


# --- dispatch's events ----------------------------------------------------------------------------


async def test_a_case_opened_and_assigned_by_dispatch_is_kept_assigned_to_its_holder():
    opened = case_opened(now=NOW)
    store = FakeTransactions()

    assert await handlers.on_case_event(store.uow, envelope(opened), NOW, DEFAULT_POLICY) == "processed"
    assigned = case_assigned(now=NOW, case_id=opened.case_id)
    assert await handlers.on_case_event(store.uow, envelope(assigned), NOW, DEFAULT_POLICY) == "processed"

    case = store.cases.cases[opened.case_id]
    assert (case.state, case.assignee_id, case.verifier_id) == (State.ASSIGNED, "w-001", "c-001")
    assert store.publisher.published == [], "dispatch published the assignment already"
    assert store.cases.timers[case.id] == timers_for(case, DEFAULT_POLICY)


async def test_a_case_opened_again_under_another_event_id_is_ignored():
    opened = case_opened(now=NOW)
    store = FakeTransactions()
    await handlers.on_case_event(store.uow, envelope(opened), NOW, DEFAULT_POLICY)
    first = store.cases.cases[opened.case_id]

    assert await handlers.on_case_event(store.uow, envelope(opened), NOW, DEFAULT_POLICY) == "ignored"
    assert store.cases.cases[opened.case_id] is first


async def test_the_same_assignment_delivered_again_is_ignored():
    opened = case_opened(now=NOW)
    assigned = case_assigned(now=NOW, case_id=opened.case_id)
    store = FakeTransactions()
    for event in (opened, assigned):
        await handlers.on_case_event(store.uow, envelope(event), NOW, DEFAULT_POLICY)
    once = store.cases.cases[opened.case_id]

    assert await handlers.on_case_event(store.uow, envelope(assigned), NOW, DEFAULT_POLICY) == "ignored"
    assert store.cases.cases[opened.case_id] is once


async def test_a_merged_report_is_credited_once_however_often_it_comes(book: CaseBook):
    case = book.case_in(State.ASSIGNED)
    store = FakeTransactions(case)
    merged = envelope(report_merged(now=NOW, case_id=case.id))

    assert await handlers.on_case_event(store.uow, merged, NOW, DEFAULT_POLICY) == "processed"
    assert await handlers.on_case_event(store.uow, merged, NOW, DEFAULT_POLICY) == "ignored"
    assert [entry.action for entry in store.cases.cases[case.id].history].count(Annotation.MERGE) == 1


async def test_handling_ignores_its_own_events_coming_back_from_the_topic():
    store = FakeTransactions()

    outcome = await handlers.on_case_event(
        store.uow, envelope(case_opened(now=NOW), source=SOURCE), NOW, DEFAULT_POLICY
    )

    assert outcome == "ignored"
    assert store.cases.cases == {}


async def test_an_assignment_of_a_case_never_opened_is_a_poison_event():
    store = FakeTransactions()

    with pytest.raises(PoisonEvent, match="never opened"):
        await handlers.on_case_event(store.uow, envelope(case_assigned(now=NOW)), NOW, DEFAULT_POLICY)


async def test_a_merge_into_a_case_never_opened_is_a_poison_event():
    store = FakeTransactions()

    with pytest.raises(PoisonEvent, match="never opened"):
        await handlers.on_case_event(store.uow, envelope(report_merged(now=NOW)), NOW, DEFAULT_POLICY)


# --- durable timers -------------------------------------------------------------------------------


async def test_a_due_red_card_is_given_and_published(book: CaseBook):
    case = book.case_in(State.ACCEPTED)
    assert case.red_at is not None
    store = FakeTransactions(case)
    timer = Timer("red_card", case.red_at)

    outcome = await handlers.fire_timer(
        store.uow, case_id=case.id, timer=timer, now=case.red_at, policy=DEFAULT_POLICY, city=CITY
    )

    assert outcome == "fired"
    assert store.cases.cases[case.id].history[-1].action is Step.RED_CARD
    assert store.publisher.event_types == ["CaseSupervised"]


async def test_a_timer_of_a_case_that_moved_on_is_stale_and_changes_nothing(book: CaseBook):
    case = book.case_in(State.CLOSED)
    store = FakeTransactions(case)
    timer = Timer("red_card", NOW + timedelta(days=2))

    outcome = await handlers.fire_timer(
        store.uow, case_id=case.id, timer=timer, now=timer.due_at, policy=DEFAULT_POLICY, city=CITY
    )

    assert outcome == "stale"
    assert store.cases.cases[case.id] is case
    assert store.publisher.published == []


async def test_the_escalation_timer_sends_a_red_case_up_a_tier_by_policy():
    case = assigned_in_the_city()
    store = FakeTransactions(case)
    timer = Timer("escalate", case.resolve_by)

    outcome = await handlers.fire_timer(
        store.uow, case_id=case.id, timer=timer, now=timer.due_at, policy=DEFAULT_POLICY, city=CITY
    )

    escalated = store.cases.cases[case.id]
    assert outcome == "fired"
    assert (escalated.tier, escalated.assignee_id) == ("community", CITY_COMMUNITY_OFFICER.id)
    assert escalated.history[-1].details["automatic"] is True


async def test_the_escalation_timer_of_a_case_at_the_top_tier_does_nothing():
    at_top = assigned_in_the_city().model_copy(update={"tier": "district"})
    store = FakeTransactions(at_top)
    timer = Timer("escalate", at_top.resolve_by)

    outcome = await handlers.fire_timer(
        store.uow, case_id=at_top.id, timer=timer, now=timer.due_at, policy=DEFAULT_POLICY, city=CITY
    )

    assert outcome == "top_tier"
    assert store.cases.cases[at_top.id] is at_top
