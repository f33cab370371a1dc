"""The foundation's steps: who may take them, and the events they raise."""

from __future__ import annotations

import pytest

from services.handling.domain import (
    Accept,
    Actor,
    Close,
    NotPermitted,
    Resolve,
    State,
    Step,
    Verify,
    apply,
)
from shared.events.cases import (
    CaseAccepted,
    CaseClosed,
    CaseResolved,
    CaseVerificationFailed,
    CaseVerified,
)


@pytest.mark.parametrize("step", [Step.ACCEPT, Step.RESOLVE])
def test_the_verifier_may_not_do_the_assignees_work(book, step):
    command, _ = book.command(step)
    state = State.ASSIGNED if step is Step.ACCEPT else State.ACCEPTED
    with pytest.raises(NotPermitted, match="only the holder"):
        apply(book.case_in(state), command, book.verifier, book.now)


@pytest.mark.parametrize("passed", [True, False])
def test_the_assignee_may_not_verify_their_own_work(book, passed):
    with pytest.raises(NotPermitted, match="only the verifier"):
        apply(book.case_in(State.RESOLVED), Verify(passed=passed), book.assignee, book.now)


def test_only_the_verifier_or_a_supervisor_closes_a_verified_case(book):
    with pytest.raises(NotPermitted, match="only the verifier"):
        apply(book.case_in(State.VERIFIED), Close(), book.assignee, book.now)


def test_whoever_resolved_a_case_may_not_verify_it_even_when_named_verifier(book):
    resolved = book.case_in(State.RESOLVED)
    # A later reassignment could make the resolver the verifier; the guard reads the timeline.
    tangled = resolved.model_copy(update={"verifier_id": book.assignee.id})
    with pytest.raises(NotPermitted, match="resolved"):
        apply(tangled, Verify(passed=True), book.assignee, book.now)


def test_a_person_may_not_assign_a_case(book):
    with pytest.raises(NotPermitted, match="dispatch may assign"):
        apply(book.new_case(), book.assign_command(), book.assignee, book.now)


def test_an_assignment_whose_verifier_is_the_assignee_is_refused(book):
    command = book.assign_command(verifier=book.assignee)
    with pytest.raises(NotPermitted, match="verifier"):
        apply(book.new_case(), command, book.dispatch, book.now)


def test_assignment_names_holder_verifier_and_deadlines_and_raises_nothing(book):
    command = book.assign_command()
    after, raised = apply(book.new_case(), command, book.dispatch, book.now)
    assert raised == ()
    assert (after.assignee_id, after.verifier_id) == (book.assignee.id, book.verifier.id)
    assert (after.resolve_by, after.close_by) == (command.resolve_by, command.close_by)
    assert after.history[-1].event_id == command.event_id


def test_accepting_raises_case_accepted_naming_the_holder(book):
    case = book.case_in(State.ASSIGNED)
    after, raised = apply(case, Accept(note="on my way"), book.assignee, book.now)
    (only,) = raised
    assert isinstance(only.event, CaseAccepted)
    assert only.event.holder_id == book.assignee.id
    assert (only.event.actor_id, only.event.actor_role) == (book.assignee.id, book.assignee.role)
    assert only.event.close_by == case.close_by
    assert only.event.note == "on my way"
    assert only.event_id == after.history[-1].event_id


def test_resolving_carries_note_and_evidence(book):
    evidence = ("https://img.example/before.jpg", "https://img.example/after.jpg")
    after, raised = apply(
        book.case_in(State.ACCEPTED), Resolve(note="cleared", evidence=evidence), book.assignee, book.now
    )
    (only,) = raised
    assert isinstance(only.event, CaseResolved)
    assert only.event.evidence == evidence
    assert after.history[-1].evidence == evidence


def test_failed_verification_sends_the_case_back_for_rework_of_the_last_resolution(book, resolved_case):
    resolution = resolved_case.history[-1]
    after, raised = apply(resolved_case, Verify(passed=False, note="not done"), book.verifier, book.now)
    (only,) = raised
    assert isinstance(only.event, CaseVerificationFailed)
    assert only.event.rework_of == str(resolution.event_id)
    assert only.event.holder_id == book.assignee.id
    assert only.event.actor_id == book.verifier.id
    assert after.state is State.ACCEPTED


def test_passing_and_closing_raise_verified_then_closed(book, resolved_case):
    verified, raised = apply(resolved_case, Verify(passed=True), book.verifier, book.now)
    assert isinstance(raised[0].event, CaseVerified)
    closed, raised = apply(verified, Close(note="done"), book.verifier, book.now)
    assert isinstance(raised[0].event, CaseClosed)
    assert closed.state is State.CLOSED


def test_event_ids_are_stable_for_the_same_history_and_distinct_across_reworks(book):
    case_id = book.new_case().id
    first = book.take(book.case_in(State.ACCEPTED, case_id), Step.RESOLVE, Step.FAIL_VERIFICATION)
    again = book.take(book.case_in(State.ACCEPTED, case_id), Step.RESOLVE, Step.FAIL_VERIFICATION)
    person_steps = slice(2, None)  # open and assign carry dispatch's own (here random) event ids
    assert [e.event_id for e in first.history[person_steps]] == [
        e.event_id for e in again.history[person_steps]
    ]
    reworked = book.take(first, Step.RESOLVE)
    resolutions = [e.event_id for e in reworked.history if e.action is Step.RESOLVE]
    assert len(set(resolutions)) == 2


def test_a_refused_step_leaves_the_case_as_it_was(book):
    case = book.case_in(State.ASSIGNED)
    snapshot = case.model_dump()
    with pytest.raises(NotPermitted):
        apply(case, Accept(), Actor(id="someone", role="grid_worker"), book.now)
    assert case.model_dump() == snapshot
