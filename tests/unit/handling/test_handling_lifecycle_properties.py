"""Random walks through the lifecycle: whatever people (and timers) try, a case stays in a known state,
its history only ever grows, one entry per step that was allowed, and every step raises one event."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.handling.domain import LifecycleError, State, Step, apply
from tests.unit.handling.conftest import (
    ASSIGNEE,
    COMMUNITY_OFFICER,
    DEPARTMENT,
    DISPATCH,
    OPERATOR,
    STRANGER,
    STREET_OFFICER,
    SUPERVISOR,
    TIMERS,
    VERIFIER,
    command_for,
)

ACTORS = (
    DISPATCH,
    TIMERS,
    ASSIGNEE,
    VERIFIER,
    STRANGER,
    OPERATOR,
    SUPERVISOR,
    COMMUNITY_OFFICER,
    STREET_OFFICER,
    DEPARTMENT,
)
STEPS = [step for step in Step if step is not Step.OPEN]

attempts = st.lists(
    st.tuples(
        st.sampled_from(STEPS),
        st.sampled_from(ACTORS) | st.none(),  # None: whoever the step is meant for
        st.integers(min_value=0, max_value=96),  # hours after the previous attempt
    ),
    max_size=50,
)


# `book` builds fresh immutable cases on every call, so sharing it across examples is safe.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=attempts)
def test_random_steps_never_reach_an_undefined_state_and_history_only_grows(book, attempts):
    case = book.new_case()
    now = book.now
    for step, actor, hours in attempts:
        now += timedelta(hours=hours)
        before = case
        command, intended = command_for(step, case)
        try:
            case, raised = apply(case, command, actor or intended, now)
        except LifecycleError:
            assert case is before
            continue
        assert case.state in set(State)
        assert case.history[: before.version] == before.history
        assert case.version == before.version + 1
        entry = case.history[-1]
        assert entry.seq == case.version
        assert entry.from_state is before.state
        assert entry.to_state is case.state
        assert len(raised) == (0 if step is Step.ASSIGN else 1)
        assert all(r.event_id == entry.event_id for r in raised)
        assert case.extensions <= 3
        assert (case.state is State.DEFERRED) == (case.paused_at is not None)
    assert [entry.seq for entry in case.history] == list(range(1, case.version + 1))
    assert len({entry.event_id for entry in case.history}) == case.version
