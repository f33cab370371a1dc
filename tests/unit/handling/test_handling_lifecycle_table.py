"""The lifecycle table, checked over every state and every step, against a table written out by hand."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from services.handling.domain import TRANSITIONS, IllegalTransition, NotPermitted, State, Step, apply

S = State
WORKING = {S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}
ON_IT = {S.ACCEPTED, S.IN_PROGRESS}
APPEALABLE = set(State) - {S.OPENED, S.VOIDED}


def _each(states: set[State], step: Step, to: State | None = None) -> dict[tuple[State, Step], State]:
    return {(state, step): to or state for state in states}


# Written out by hand, so the test checks the table rather than reading it back.
EXPECTED: dict[tuple[State, Step], State] = {
    (S.OPENED, Step.ASSIGN): S.ASSIGNED,
    (S.OPENED, Step.REASSIGN): S.ASSIGNED,
    (S.RETURNED, Step.REASSIGN): S.ASSIGNED,
    (S.ASSIGNED, Step.ACCEPT): S.ACCEPTED,
    (S.REOPENED, Step.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, Step.START): S.IN_PROGRESS,
    (S.ACCEPTED, Step.RESOLVE): S.RESOLVED,
    (S.IN_PROGRESS, Step.RESOLVE): S.RESOLVED,
    (S.RESOLVED, Step.PASS_VERIFICATION): S.VERIFIED,
    (S.RESOLVED, Step.FAIL_VERIFICATION): S.ACCEPTED,
    (S.VERIFIED, Step.CLOSE): S.CLOSED,
    (S.CLOSED, Step.CALLBACK): S.CLOSED,
    (S.CLOSED, Step.REOPEN): S.REOPENED,
    **_each({S.ASSIGNED, S.ACCEPTED}, Step.REQUEST_RETURN),
    **_each({S.ASSIGNED, S.ACCEPTED}, Step.APPROVE_RETURN, S.RETURNED),
    **_each({S.ASSIGNED, S.ACCEPTED}, Step.REJECT_RETURN),
    **_each(ON_IT, Step.REQUEST_EXTENSION),
    **_each(ON_IT, Step.APPROVE_EXTENSION),
    **_each(ON_IT, Step.REJECT_EXTENSION),
    **_each(ON_IT, Step.REQUEST_DEFERRAL),
    **_each(ON_IT, Step.APPROVE_DEFERRAL, S.DEFERRED),
    **_each(ON_IT, Step.REJECT_DEFERRAL),
    (S.DEFERRED, Step.RESUME): S.IN_PROGRESS,
    **_each(WORKING, Step.REQUEST_VOID),
    **_each(WORKING, Step.APPROVE_VOID, S.VOIDED),
    **_each(WORKING, Step.REJECT_VOID),
    **_each(APPEALABLE, Step.REQUEST_APPEAL),
    **_each(APPEALABLE, Step.APPROVE_APPEAL),
    **_each(APPEALABLE, Step.REJECT_APPEAL),
    **_each(WORKING, Step.ESCALATE, S.ASSIGNED),
    **_each(WORKING, Step.START_CONSULTATION, S.IN_CONSULTATION),
    (S.IN_CONSULTATION, Step.RECORD_OPINION): S.IN_CONSULTATION,
    (S.IN_CONSULTATION, Step.DECIDE_CONSULTATION): S.ASSIGNED,
    **_each(WORKING | {S.IN_CONSULTATION}, Step.REMIND),
    **_each(WORKING | {S.IN_CONSULTATION}, Step.YELLOW_CARD),
    **_each(WORKING | {S.IN_CONSULTATION}, Step.RED_CARD),
}
COMMAND_STEPS = [step for step in Step if step is not Step.OPEN]


def prepared(book, state: State, step: Step):
    """A case in ``state`` meeting the step's preconditions, and the moment to take the step at."""
    case = book.case_in(state)
    if "appeal" in step.value:  # only a late case is appealed
        case = case.model_copy(update={"resolve_by": book.now - timedelta(hours=1)})
    request = (
        Step(f"request_{step.value.split('_', 1)[1]}")
        if step.value.startswith(("approve_", "reject_"))
        else None
    )
    if request is not None and (state, request) in EXPECTED:
        case = book.take(case, request)
    if step is Step.START_CONSULTATION:
        case = case.model_copy(update={"tier": "street"})
    return case, book.now


def test_the_table_holds_exactly_the_documented_transitions():
    assert {key: transition.to for key, transition in TRANSITIONS.items()} == EXPECTED


def test_voided_is_final_and_every_other_state_has_a_way_on():
    assert [s for s in State if not any(key[0] is s for key in EXPECTED)] == [S.VOIDED]


@pytest.mark.parametrize(("state", "step"), list(itertools.product(State, COMMAND_STEPS)))
def test_every_step_in_every_state_follows_the_table_or_is_illegal(book, state, step):
    case, at = prepared(book, state, step)
    command, actor = book.command(step, case)
    if (state, step) in EXPECTED:
        after, raised = apply(case, command, actor, at)
        assert after.state is EXPECTED[(state, step)]
        assert after.history[-1].from_state is state
        assert after.history[-1].to_state is after.state
        assert after.history[-1].action is step
        assert after.version == case.version + 1
        assert after.history[: case.version] == case.history
        # Every step but dispatch's assignment raises exactly one event under the entry's id.
        assert [r.event_id for r in raised] == ([] if step is Step.ASSIGN else [after.history[-1].event_id])
    else:
        with pytest.raises(IllegalTransition) as refused:
            apply(case, command, actor, at)
        assert (refused.value.state, refused.value.step) == (state, step)
        assert f"cannot {step.value} a case that is {state.value}" == str(refused.value)


@pytest.mark.parametrize(("state", "step"), list(EXPECTED))
def test_a_grid_worker_of_another_grid_may_take_no_step_on_a_case(book, state, step):
    case, at = prepared(book, state, step)
    command, _ = book.command(step, case)
    with pytest.raises(NotPermitted):
        apply(case, command, book.stranger, at)
