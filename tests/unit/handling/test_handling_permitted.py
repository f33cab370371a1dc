"""``allowed_actions``: the steps a person may take on a case now, as the lifecycle's guards decide them,
so that the console offers exactly what the server would take."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.handling.domain import (
    IllegalTransition,
    LifecycleError,
    NotPermitted,
    State,
    Step,
    allowed_steps,
    apply,
)
from services.handling.domain.permitted import allowed_actions
from tests.unit.handling.conftest import (
    ASSIGNEE,
    COMMUNITY_OFFICER,
    DEPARTMENT,
    OPERATOR,
    PATH_TO,
    STRANGER,
    STREET_OFFICER,
    SUPERVISOR,
    VERIFIER,
    CaseBook,
    command_for,
)

PEOPLE = (ASSIGNEE, VERIFIER, STRANGER, OPERATOR, SUPERVISOR, COMMUNITY_OFFICER, STREET_OFFICER, DEPARTMENT)


def test_the_assignee_of_an_assigned_case_may_accept_or_ask_to_return_it_but_not_verify(book: CaseBook):
    case = book.case_in(State.ASSIGNED)

    allowed = allowed_actions(case, ASSIGNEE, book.now)

    assert Step.ACCEPT in allowed
    assert Step.REQUEST_RETURN in allowed
    assert Step.ESCALATE in allowed
    assert Step.PASS_VERIFICATION not in allowed
    assert Step.APPROVE_RETURN not in allowed, "nothing is pending, and nobody approves their own request"
    assert Step.ACCEPT not in allowed_actions(case, VERIFIER, book.now)
    assert allowed_actions(case, STRANGER, book.now) == ()


def test_a_return_is_offered_only_within_the_return_limit(book: CaseBook):
    case = book.case_in(State.ASSIGNED)

    assert Step.REQUEST_RETURN not in allowed_actions(case, ASSIGNEE, book.now + timedelta(days=5))


def test_the_verifier_of_a_resolved_case_may_verify_it_and_the_resolver_may_not(book: CaseBook):
    case = book.case_in(State.RESOLVED)

    assert {Step.PASS_VERIFICATION, Step.FAIL_VERIFICATION} <= set(allowed_actions(case, VERIFIER, book.now))
    resolver = allowed_actions(case, ASSIGNEE, book.now)
    assert Step.PASS_VERIFICATION not in resolver
    assert Step.FAIL_VERIFICATION not in resolver


def test_a_pending_request_is_offered_to_its_approvers_and_blocks_a_second_one(book: CaseBook):
    case = book.take(book.case_in(State.ASSIGNED), Step.REQUEST_RETURN)

    assert {Step.APPROVE_RETURN, Step.REJECT_RETURN} <= set(allowed_actions(case, OPERATOR, book.now))
    assert Step.REQUEST_RETURN not in allowed_actions(case, ASSIGNEE, book.now)
    assert Step.APPROVE_RETURN not in allowed_actions(case, ASSIGNEE, book.now)


def test_the_order_is_the_lifecycle_tables(book: CaseBook):
    case = book.case_in(State.ACCEPTED)
    allowed = allowed_actions(case, ASSIGNEE, book.now)

    table = allowed_steps(case.state, for_people=True)
    assert list(allowed) == [step for step in table if step in allowed]
    assert allowed == allowed_actions(case, ASSIGNEE, book.now)


cases = st.tuples(
    st.sampled_from(sorted(PATH_TO)),
    st.lists(st.sampled_from([s for s in Step if s is not Step.OPEN]), max_size=4),  # more steps, if allowed
    st.sampled_from(PEOPLE),
    st.integers(min_value=0, max_value=120),  # hours later
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=cases)
def test_what_is_allowed_is_taken_and_what_is_not_is_refused(book, drawn):
    state, more, actor, hours = drawn
    case = book.case_in(state)
    for step in more:
        command, by = command_for(step, case)
        with contextlib.suppress(LifecycleError):
            case, _ = apply(case, command, by, book.now)
    now = book.now + timedelta(hours=hours)

    allowed = allowed_actions(case, actor, now)

    for step in allowed_steps(case.state, for_people=True):
        command, _ = command_for(step, case)  # a valid body, built without allowed_actions' help
        if step in allowed:
            try:
                apply(case, command, actor, now)
            except (IllegalTransition, NotPermitted) as refused:
                raise AssertionError(f"{step.value} offered to {actor.id} but refused: {refused}") from None
            except LifecycleError:
                pass  # the body given here broke a rule a body can break
        else:
            try:
                apply(case, command, actor, now)
            except LifecycleError:
                continue
            raise AssertionError(f"{actor.id} may {step.value} case in {case.state.value}, not offered")
