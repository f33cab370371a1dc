"""Which durable timers a case has in each state, and the light it shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from services.handling.domain import (
    DEFAULT_POLICY,
    Case,
    Decide,
    HandlingPolicy,
    Request,
    RequestKind,
    State,
    Step,
    apply,
)
from services.handling.domain.deadlines import light_of
from services.handling.domain.policy import Escalation
from services.handling.domain.supervision import supervision_command, timers_for
from services.handling.schemas import CaseView


def kinds(case: Case, policy: HandlingPolicy = DEFAULT_POLICY) -> dict[str, datetime]:
    return {timer.kind: timer.due_at for timer in timers_for(case, policy)}


def test_a_worked_case_is_reminded_carded_at_yellow_and_red_and_escalated_at_red(book):
    case = book.case_in(State.ACCEPTED)
    assert kinds(case) == {
        "remind": case.resolve_by - timedelta(hours=2),
        "yellow_card": case.yellow_at,
        "red_card": case.red_at,
        "escalate": case.red_at,
    }


def test_escalation_waits_the_policys_delay_and_stops_at_the_top(book):
    policy = replace(DEFAULT_POLICY, escalation=Escalation(after=timedelta(hours=4), up_to="community"))
    case = book.case_in(State.ACCEPTED)
    assert kinds(case, policy)["escalate"] == case.red_at + timedelta(hours=4)
    assert "escalate" not in kinds(case.model_copy(update={"tier": "community"}), policy)
    off = replace(DEFAULT_POLICY, escalation=Escalation(automatic=False))
    assert "escalate" not in kinds(case, off)


def test_an_extension_moves_every_timer_with_the_deadline(book):
    case = book.case_in(State.ACCEPTED)
    asked, _ = apply(
        case, Request(kind=RequestKind.EXTENSION, length="P1D", note="x"), book.assignee, book.now
    )
    extended, _ = apply(asked, Decide(kind=RequestKind.EXTENSION, approved=True), book.verifier, book.now)
    before, after = kinds(case), kinds(extended)
    assert {kind: after[kind] - before[kind] for kind in before} == dict.fromkeys(before, timedelta(days=1))


def test_a_deferred_case_only_waits_to_resume_and_a_finished_one_has_no_timers(book):
    deferred = book.case_in(State.DEFERRED)
    assert kinds(deferred) == {"resume": deferred.resume_at}
    for state in (State.RESOLVED, State.VERIFIED, State.CLOSED, State.VOIDED, State.RETURNED, State.OPENED):
        assert kinds(book.case_in(state)) == {}, state


def test_a_fired_timer_takes_its_step_on_the_case(book):
    case = book.case_in(State.ACCEPTED)
    for timer in timers_for(case, DEFAULT_POLICY):
        if timer.kind == "escalate":
            continue
        after, raised = apply(case, supervision_command(timer), book.timers, timer.due_at)
        assert after.history[-1].action is Step(timer.kind)
        assert raised[0].event.model_dump()["level"] == timer.kind
    resumed, _ = apply(
        book.case_in(State.DEFERRED),
        supervision_command(timers_for(book.case_in(State.DEFERRED), DEFAULT_POLICY)[0]),
        book.timers,
        book.now + timedelta(days=5),
    )
    assert resumed.state is State.IN_PROGRESS


def test_the_light_turns_at_yellow_and_red(book):
    case = book.case_in(State.ACCEPTED)
    assert case.yellow_at is not None
    assert case.red_at is not None
    assert light_of(book.now, case.resolve_by, case.yellow_at, case.red_at) == "green"
    assert light_of(case.yellow_at, case.resolve_by, case.yellow_at, case.red_at) == "yellow"
    assert light_of(case.red_at, case.resolve_by, case.yellow_at, case.red_at) == "red"
    view = CaseView.of_case(case, case.yellow_at)
    assert (view.light, view.handle_time_left_seconds) == ("yellow", 12 * 3600)
    assert CaseView.of_case(book.case_in(State.DEFERRED), book.now).light is None
