"""The limits, approvals and hand-overs of tiered handling, each checked on the pure lifecycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

import pytest

from services.handling.domain import (
    DEFAULT_POLICY,
    Actor,
    Callback,
    Decide,
    DecideConsultation,
    Escalate,
    Holder,
    NotPermitted,
    Raised,
    RecordOpinion,
    Request,
    RequestKind,
    Resume,
    RuleBroken,
    State,
    Step,
    Verify,
    apply,
)
from shared.events.cases import (
    CaseActed,
    CaseCallbackRecorded,
    CaseConsultationDecided,
    CaseEscalated,
    CaseRequestDecided,
    CaseRequestMade,
    CaseResumed,
)
from shared.worktime import Limit
from tests.unit.handling.conftest import COMMUNITY_HOLDER, DEPARTMENT, PHOTO, STREET_OFFICER

E = TypeVar("E", bound=CaseActed)


def only(raised: tuple[Raised, ...], model: type[E]) -> E:
    (one,) = raised
    assert isinstance(one.event, model)
    return one.event


def extension(length: str = "P2D") -> Request:
    return Request(kind=RequestKind.EXTENSION, length=length, note="waiting for a part")


def test_a_return_within_its_limit_goes_back_for_dispatch_once_approved(book):
    case = book.case_in(State.ASSIGNED)
    asked, raised = apply(
        case, Request(kind=RequestKind.RETURN, note="not our grid"), book.assignee, book.now
    )
    assert isinstance(raised[0].event, CaseRequestMade)
    assert raised[0].event.kind == "return"
    returned, raised = apply(asked, Decide(kind=RequestKind.RETURN, approved=True), book.operator, book.now)
    assert returned.state is State.RETURNED
    assert returned.pending is None
    decided = raised[0].event
    assert isinstance(decided, CaseRequestDecided)
    assert (decided.approved, decided.requested_by) == (True, book.assignee.id)


def test_after_the_return_limit_the_receiver_owns_the_case(book):
    case = book.case_in(State.ASSIGNED)
    # the default limit is one working day; on the wall clock (no calendar) that is 24 hours
    with pytest.raises(RuleBroken, match="return limit"):
        apply(
            case, Request(kind=RequestKind.RETURN, note="late"), book.assignee, book.now + timedelta(hours=25)
        )


def test_a_return_needs_a_reason(book):
    with pytest.raises(RuleBroken, match="reason"):
        apply(book.case_in(State.ASSIGNED), Request(kind=RequestKind.RETURN), book.assignee, book.now)


def test_an_approved_extension_adds_its_length_to_every_deadline_and_counts(book):
    case = book.take(book.case_in(State.ACCEPTED))
    asked, _ = apply(case, extension("P2D"), book.assignee, book.now)
    after, raised = apply(asked, Decide(kind=RequestKind.EXTENSION, approved=True), book.verifier, book.now)
    assert after.resolve_by == case.resolve_by + timedelta(days=2)
    assert after.close_by == case.close_by + timedelta(days=2)
    assert after.red_at == case.red_at + timedelta(days=2)
    assert after.extensions == 1
    assert only(raised, CaseRequestDecided).extensions == 1
    assert raised[0].event.resolve_by == after.resolve_by


def test_extensions_are_capped_in_number_and_length(book):
    case = book.case_in(State.ACCEPTED)
    with pytest.raises(RuleBroken, match="at most P3D"):
        apply(case, extension("P4D"), book.assignee, book.now)
    for _ in range(3):
        case, _ = apply(case, extension("P1D"), book.assignee, book.now)
        case, _ = apply(case, Decide(kind=RequestKind.EXTENSION, approved=True), book.verifier, book.now)
    with pytest.raises(RuleBroken, match="3 extensions"):
        apply(case, extension("P1D"), book.assignee, book.now)


def test_an_extension_is_approved_by_the_tier_above_not_by_the_requester_nor_a_stranger(book):
    asked, _ = apply(book.case_in(State.ACCEPTED), extension(), book.assignee, book.now)
    with pytest.raises(NotPermitted, match="grid_chief, community_officer"):
        apply(asked, Decide(kind=RequestKind.EXTENSION, approved=True), book.operator, book.now)
    other_chief = Actor(id="c-002", role="grid_chief", unit_id="g-02")
    with pytest.raises(NotPermitted, match="outside the jurisdiction"):
        apply(asked, Decide(kind=RequestKind.EXTENSION, approved=True), other_chief, book.now)
    assert asked.pending is not None
    chief_asks = asked.model_copy(
        update={"pending": asked.pending.model_copy(update={"requested_by": "c-001"})}
    )
    with pytest.raises(NotPermitted, match="may not approve"):
        apply(chief_asks, Decide(kind=RequestKind.EXTENSION, approved=True), book.verifier, book.now)


def test_one_request_at_a_time(book):
    asked, _ = apply(book.case_in(State.ACCEPTED), extension(), book.assignee, book.now)
    with pytest.raises(RuleBroken, match="waiting for a decision"):
        apply(asked, Request(kind=RequestKind.VOID, note="duplicate"), book.assignee, book.now)
    with pytest.raises(RuleBroken, match="no deferral request"):
        apply(asked, Decide(kind=RequestKind.DEFERRAL, approved=True), book.operator, book.now)


def test_a_deferral_pauses_the_clock_and_resuming_adds_the_paused_time(book):
    until = book.now + timedelta(days=5)
    case = book.case_in(State.ACCEPTED)
    asked, _ = apply(
        case, Request(kind=RequestKind.DEFERRAL, until=until, note="needs budget"), book.assignee, book.now
    )
    deferred, _ = apply(asked, Decide(kind=RequestKind.DEFERRAL, approved=True), book.operator, book.now)
    assert (deferred.state, deferred.paused_at, deferred.resume_at) == (State.DEFERRED, book.now, until)
    resumed, raised = apply(deferred, Resume(), book.timers, until)
    assert resumed.state is State.IN_PROGRESS
    assert resumed.resolve_by == case.resolve_by + timedelta(days=5)
    assert (resumed.paused_at, resumed.resume_at) == (None, None)
    assert isinstance(raised[0].event, CaseResumed)
    assert raised[0].event.paused_seconds == 5 * 86400


def test_a_deferral_longer_than_the_policy_allows_is_refused(book):
    too_long = Request(kind=RequestKind.DEFERRAL, until=book.now + timedelta(days=31), note="x")
    with pytest.raises(RuleBroken, match="at most P30D"):
        apply(book.case_in(State.ACCEPTED), too_long, book.assignee, book.now)


def test_an_approved_void_ends_the_case_for_good(book):
    asked, _ = apply(
        book.case_in(State.ASSIGNED), Request(kind=RequestKind.VOID, note="prank"), book.assignee, book.now
    )
    voided, _ = apply(asked, Decide(kind=RequestKind.VOID, approved=True), book.supervisor, book.now)
    assert voided.state is State.VOIDED


def test_an_approved_timeout_appeal_exempts_a_late_case(book):
    resolved = book.take(book.case_in(State.ACCEPTED), Step.RESOLVE, at=book.late)
    appeal = Request(kind=RequestKind.APPEAL, note="the road was closed", evidence=PHOTO)
    asked, _ = apply(resolved, appeal, book.assignee, book.late)
    with pytest.raises(NotPermitted):
        apply(asked, Decide(kind=RequestKind.APPEAL, approved=True), book.operator, book.late)
    after, raised = apply(asked, Decide(kind=RequestKind.APPEAL, approved=True), book.supervisor, book.late)
    assert after.exempt_from_lateness
    assert only(raised, CaseRequestDecided).exempt_from_lateness


def test_a_case_on_time_has_nothing_to_appeal_and_an_appeal_needs_evidence(book):
    case = book.case_in(State.ACCEPTED)
    with pytest.raises(RuleBroken, match="not late"):
        apply(case, Request(kind=RequestKind.APPEAL, note="x", evidence=PHOTO), book.assignee, book.now)
    with pytest.raises(RuleBroken, match="evidence"):
        apply(case, Request(kind=RequestKind.APPEAL, note="x"), book.assignee, book.late)


def test_escalation_goes_one_tier_up_to_a_named_holder(book):
    case = book.case_in(State.ACCEPTED)
    street = Holder(person_id="so-01", role="street_officer", unit_id="s-01", tier="street")
    with pytest.raises(RuleBroken, match="to the community tier"):
        apply(case, Escalate(holder=street, note="x"), book.assignee, book.now)
    after, raised = apply(
        case, Escalate(holder=COMMUNITY_HOLDER, note="needs the committee"), book.assignee, book.now
    )
    assert (after.state, after.tier, after.assignee_id) == (State.ASSIGNED, "community", "co-01")
    event = raised[0].event
    assert isinstance(event, CaseEscalated)
    assert (event.from_tier, event.to_tier, event.previous_holder_id, event.holder_id) == (
        "grid",
        "community",
        book.assignee.id,
        "co-01",
    )
    assert not event.automatic


def test_automatic_escalation_is_by_the_system_and_stops_at_the_top_tier(book):
    case = book.case_in(State.ASSIGNED)
    after, raised = apply(
        case, Escalate(holder=COMMUNITY_HOLDER, automatic=True, note="red"), book.timers, book.now
    )
    assert only(raised, CaseEscalated).automatic
    top = after.model_copy(update={"tier": "district"})
    with pytest.raises(RuleBroken, match="cannot be escalated further"):
        apply(top, Escalate(holder=COMMUNITY_HOLDER, automatic=True, note="red"), book.timers, book.now)


def test_a_consultation_ends_with_the_lead_unit_holding_the_case_by_the_new_deadline(book):
    case = book.case_in(State.IN_CONSULTATION)
    with pytest.raises(NotPermitted, match="serving dept-01"):
        apply(
            case,
            RecordOpinion(unit_id="dept-01", note="x"),
            Actor(id="dh-02", role="department_handler", unit_id="dept-02"),
            book.now,
        )
    opined, _ = apply(case, RecordOpinion(unit_id="dept-01", note="we lead"), DEPARTMENT, book.now)
    assert opined.consultation is not None
    assert opined.consultation.opinions == {"dept-01": "we lead"}
    deadline = book.now + timedelta(days=10)
    lead = Holder(person_id="dh-01", role="department_handler", unit_id="dept-01", tier="district")
    decision = DecideConsultation(
        holder=lead, supporting_units=("s-01",), deadline=deadline, note="dept leads"
    )
    after, raised = apply(opined, decision, STREET_OFFICER, book.now)
    assert (after.state, after.assignee_id, after.resolve_by) == (State.ASSIGNED, "dh-01", deadline)
    assert after.consultation is not None
    assert after.consultation.lead_unit == "dept-01"
    event = raised[0].event
    assert isinstance(event, CaseConsultationDecided)
    assert (event.unit_id, event.supporting_units, event.deadline) == ("dept-01", ("s-01",), deadline)


def test_only_street_and_district_cases_go_to_consultation(book):
    command, _ = book.command(Step.START_CONSULTATION)
    with pytest.raises(RuleBroken, match="grid tier"):
        apply(book.case_in(State.ASSIGNED), command, STREET_OFFICER, book.now)


def test_failed_verification_counts_a_rework_and_a_supervisor_may_verify_but_not_their_own_work(
    book, resolved_case
):
    reworked, _ = apply(resolved_case, Verify(passed=False, note="not done"), book.supervisor, book.now)
    assert reworked.reworks == 1
    supervisor_resolved = resolved_case.model_copy(
        update={
            "history": (
                *resolved_case.history[:-1],
                resolved_case.history[-1].model_copy(update={"actor_id": "sv-01"}),
            )
        }
    )
    with pytest.raises(NotPermitted, match="resolved"):
        apply(supervisor_resolved, Verify(passed=True), book.supervisor, book.now)


def test_an_unsatisfied_callback_the_handler_caused_reopens_the_case_and_names_the_resolver(book):
    closed = book.case_in(State.CLOSED)
    kept, raised = apply(
        closed, Callback(satisfaction=2, handler_caused=False, note="slow"), book.operator, book.now
    )
    assert kept.state is State.CLOSED
    assert not only(raised, CaseCallbackRecorded).satisfied
    reopened, raised = apply(
        closed, Callback(satisfaction=1, handler_caused=True, note="it is back"), book.operator, book.now
    )
    event = raised[0].event
    assert isinstance(event, CaseCallbackRecorded)
    assert reopened.state is State.REOPENED
    assert (event.reopened, event.against, event.satisfaction) == (True, book.assignee.id, 1)
    with pytest.raises(NotPermitted):
        apply(closed, Callback(satisfaction=5), book.assignee, book.now)


def test_closing_standards_of_the_category_must_be_ticked(book):
    from services.handling.domain import Close

    policy = replace(DEFAULT_POLICY, closing_standards={"environment.rubbish": ("bins emptied",)})
    verified = book.case_in(State.VERIFIED)
    with pytest.raises(RuleBroken, match="bins emptied"):
        apply(verified, Close(), book.verifier, book.now, policy)
    closed, _ = apply(verified, Close(standards_met=("bins emptied",)), book.verifier, book.now, policy)
    assert closed.state is State.CLOSED


def test_limits_count_working_time_on_the_policys_clock(book):
    policy = replace(DEFAULT_POLICY, return_within=Limit.parse("PT2H"))
    case = book.case_in(State.ASSIGNED)
    apply(
        case, Request(kind=RequestKind.RETURN, note="x"), book.assignee, book.now + timedelta(hours=1), policy
    )
    with pytest.raises(RuleBroken):
        apply(
            case,
            Request(kind=RequestKind.RETURN, note="x"),
            book.assignee,
            book.now + timedelta(hours=3),
            policy,
        )


def test_filing_a_case_from_manual_triage_needs_the_categorys_filing_standards(book):
    policy = replace(DEFAULT_POLICY, filing_standards={"environment.rubbish": ("location confirmed",)})
    untriaged = book.new_case()
    command, operator = book.command(Step.REASSIGN, untriaged)
    with pytest.raises(
        RuleBroken, match=r"filing standards not met for environment\.rubbish: location confirmed"
    ):
        apply(untriaged, command, operator, book.now, policy)
    ticked = command.model_copy(update={"standards_met": ("location confirmed",)})
    filed, _ = apply(untriaged, ticked, operator, book.now, policy)
    assert filed.state is State.ASSIGNED


def test_a_case_in_no_district_is_filed_by_the_city_wide_operator_only(book):
    unplaced = book.new_case().model_copy(
        update={"grid_id": None, "community_id": None, "street_id": None, "district_id": None}
    )
    command, district_operator = book.command(Step.REASSIGN, unplaced)
    with pytest.raises(NotPermitted):
        apply(unplaced, command, district_operator, book.now, DEFAULT_POLICY)
    city_operator = Actor(id="op-yancheng", role="operator", unit_id="yancheng", city_wide=True)
    filed, _ = apply(unplaced, command, city_operator, book.now, DEFAULT_POLICY)
    assert filed.state is State.ASSIGNED
