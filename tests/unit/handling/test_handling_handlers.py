"""Handling's handlers over in-memory ports: what a step, a case event or a due timer saves, publishes
and arms, and what a refusal leaves untouched."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.handling import handlers
from services.handling.domain import (
    DEFAULT_POLICY,
    Accept,
    Actor,
    Assign,
    Case,
    Close,
    Command,
    Escalate,
    IllegalTransition,
    NotPermitted,
    Resolve,
    RuleBroken,
    State,
    Step,
    Verify,
    apply,
    open_case,
    routing,
)
from services.handling.domain.access import Viewer
from services.handling.domain.events import SOURCE
from services.handling.domain.model import Annotation
from services.handling.domain.supervision import Timer, timers_for
from shared.city import load_city
from shared.consuming import PoisonEvent
from shared.events import Envelope, decode, encode
from shared.events.base import Event
from shared.settings import REPO_ROOT
from tests.builders import case_assigned, case_opened, report_merged
from tests.unit.handling.conftest import (
    ASSIGNEE,
    DISPATCH,
    NOW,
    OPERATOR,
    PHOTO,
    STRANGER,
    VERIFIER,
    CaseBook,
)
from tests.unit.handling.fakes import FakeTransactions

DISPATCH_SOURCE = "/gridloop/dispatch"
CITY = load_city(REPO_ROOT / "city")


def viewer(actor: Actor) -> Viewer:
    return Viewer(person_id=actor.id, role=actor.role, unit_id=actor.unit_id or "")


def envelope(event: Event, *, source: str = DISPATCH_SOURCE) -> Envelope:
    """The event as the consumer hands it over: encoded and decoded again, under a fresh id."""
    record = encode(event, source=source, event_id=uuid.uuid4(), time=NOW)
    return decode(record.headers, record.value)


async def step(store: FakeTransactions, case_id: uuid.UUID, command: Command, actor: Actor) -> Case:
    return await handlers.take_step(store, case_id=case_id, command=command, viewer=viewer(actor), now=NOW)


# --- steps people take ----------------------------------------------------------------------------


async def test_a_case_is_accepted_resolved_verified_and_closed_each_step_saved_and_published(book: CaseBook):
    case = book.case_in(State.ASSIGNED)
    store = FakeTransactions(case)

    await step(store, case.id, Accept(note="on my way"), ASSIGNEE)
    await step(store, case.id, Resolve(note="cleared", evidence=PHOTO), ASSIGNEE)
    await step(store, case.id, Verify(passed=True, note="checked on site", evidence=PHOTO), VERIFIER)
    closed = await step(store, case.id, Close(note="done"), VERIFIER)

    assert closed.state is State.CLOSED
    assert store.cases.cases[case.id] == closed
    assert store.publisher.event_types == ["CaseAccepted", "CaseResolved", "CaseVerified", "CaseClosed"]
    assert [raised.event_id for raised in store.publisher.published] == [
        entry.event_id for entry in closed.history[-4:]
    ]
    assert (store.opened, store.committed) == ([False] * 4, 4)
    assert store.cases.timers[case.id] == (), "a closed case has no timers running"


async def test_an_accepted_case_arms_the_timers_of_its_handling_clock(book: CaseBook):
    case = book.case_in(State.ASSIGNED)
    store = FakeTransactions(case)

    accepted = await step(store, case.id, Accept(), ASSIGNEE)

    armed = store.cases.timers[case.id]
    assert armed == timers_for(accepted, DEFAULT_POLICY)
    assert {timer.kind for timer in armed} == {"remind", "yellow_card", "red_card", "escalate"}


async def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(book: CaseBook):
    case = book.case_in(State.ASSIGNED)
    store = FakeTransactions(case)

    with pytest.raises(IllegalTransition):
        await step(store, case.id, Close(note="done"), VERIFIER)

    assert store.cases.cases[case.id] is case
    assert (store.publisher.published, store.cases.timers, store.committed) == ([], {}, 0)


async def test_someone_who_sees_the_case_but_does_not_hold_it_may_not_accept_it(book: CaseBook):
    case = book.case_in(State.ASSIGNED)
    store = FakeTransactions(case)

    with pytest.raises(NotPermitted, match="only the holder"):
        await step(store, case.id, Accept(), OPERATOR)

    assert store.cases.cases[case.id] is case
    assert store.publisher.published == []


async def test_someone_outside_the_case_can_neither_act_on_it_nor_read_it(book: CaseBook):
    case = book.case_in(State.ASSIGNED)
    store = FakeTransactions(case)

    with pytest.raises(handlers.CaseHidden):
        await step(store, case.id, Accept(), STRANGER)
    with pytest.raises(handlers.CaseHidden):
        await handlers.visible_case(store, case_id=case.id, viewer=viewer(STRANGER))

    assert store.cases.cases[case.id] is case


async def test_a_step_on_a_case_nobody_opened_is_not_found():
    store = FakeTransactions()

    with pytest.raises(handlers.CaseNotFound):
        await step(store, uuid.uuid4(), Accept(), ASSIGNEE)


async def test_a_case_is_read_in_one_read_only_snapshot(book: CaseBook):
    case = book.case_in(State.ACCEPTED)
    store = FakeTransactions(case)

    assert await handlers.visible_case(store, case_id=case.id, viewer=viewer(VERIFIER)) == case
    assert store.opened == [True]


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


# --- escalation -----------------------------------------------------------------------------------

# A place of the sample city (city/), so that the registry has someone at every tier above the grid.
WORKER = Actor(id="w-tinghu-wenfeng-01", role="grid_worker", unit_id="g-tinghu-wenfeng-01")
COMMUNITY_OFFICER = Actor(
    id="co-tinghu-wenfeng-yulong", role="community_officer", unit_id="c-tinghu-wenfeng-yulong"
)


async def escalate(store: FakeTransactions, case_id: uuid.UUID, actor: Actor, note: str) -> Case:
    return await handlers.escalate(
        store, case_id=case_id, note=note, viewer=viewer(actor), now=NOW, policy=DEFAULT_POLICY, city=CITY
    )


def assigned_in_the_city() -> Case:
    """A grid case of the sample city, assigned to the grid's worker."""
    opened = case_opened(
        now=NOW,
        grid_id="g-tinghu-wenfeng-01",
        community_id="c-tinghu-wenfeng-yulong",
        street_id="s-tinghu-wenfeng",
        district_id="d-tinghu",
    )
    case = open_case(opened, event_id=uuid.uuid4(), actor=DISPATCH, now=NOW)
    assigned = case_assigned(
        now=NOW,
        case_id=case.id,
        assignee_id=WORKER.id,
        unit_id="g-tinghu-wenfeng-01",
        grid_id="g-tinghu-wenfeng-01",
        verifier_id="gc-tinghu-wenfeng-01",
    )
    case, _ = apply(case, Assign.of(assigned, event_id=uuid.uuid4()), DISPATCH, NOW)
    return case


async def test_an_escalation_goes_to_the_holder_one_tier_above_the_case_as_locked():
    at_grid = assigned_in_the_city()
    store = FakeTransactions(at_grid)

    escalated = await escalate(store, at_grid.id, WORKER, "needs the committee")

    assert (escalated.tier, escalated.assignee_id) == ("community", COMMUNITY_OFFICER.id)
    assert store.publisher.event_types == ["CaseEscalated"]


async def test_the_new_holder_is_decided_on_the_locked_case_not_on_an_earlier_read():
    # The case went up to the community (by its timer, say) after an unlocked read would have seen it
    # at the grid: decided on that read, the escalation would go to the community officer again.
    at_grid = assigned_in_the_city()
    at_community, _ = apply(
        at_grid,
        Escalate(holder=routing.holder_at_tier(CITY, at_grid, "community"), automatic=True, note="red"),
        handlers.TIMERS_ACTOR,
        NOW,
    )
    store = FakeTransactions(at_community, stale=[at_grid])

    escalated = await escalate(store, at_grid.id, COMMUNITY_OFFICER, "needs the street")

    assert (escalated.tier, escalated.assignee_id) == (
        "street",
        routing.holder_at_tier(CITY, at_grid, "street").person_id,
    )
    assert store.opened == [False], "one unit of work"
    assert store.cases.reads == [(at_grid.id, True)], "one read, under the lock"


async def test_a_case_at_the_policys_top_tier_is_not_escalated_further_and_nothing_changes():
    at_top = assigned_in_the_city().model_copy(update={"tier": "district"})
    store = FakeTransactions(at_top)

    with pytest.raises(RuleBroken, match="cannot be escalated further"):
        await escalate(store, at_top.id, WORKER, "higher")

    assert store.cases.cases[at_top.id] is at_top
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
    assert (escalated.tier, escalated.assignee_id) == ("community", COMMUNITY_OFFICER.id)
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
