"""Random walks through the lifecycle: whatever people try, a case stays in a known state and its
history only ever grows, one entry per step that was allowed."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.handling.domain import (
    Accept,
    Close,
    Command,
    LifecycleError,
    Resolve,
    State,
    Verify,
    apply,
)

ACTOR_NAMES = ("dispatch", "assignee", "verifier", "stranger")
COMMAND_NAMES = ("assign", "accept", "resolve", "pass", "fail", "close")

attempts = st.lists(st.tuples(st.sampled_from(COMMAND_NAMES), st.sampled_from(ACTOR_NAMES)), max_size=40)


def command_of(name: str, book: Any) -> Command:
    commands: dict[str, Command] = {
        "assign": book.assign_command(),
        "accept": Accept(),
        "resolve": Resolve(note="done", evidence=("https://img.example/x.jpg",)),
        "pass": Verify(passed=True),
        "fail": Verify(passed=False, note="not yet"),
        "close": Close(),
    }
    return commands[name]


# `book` builds fresh immutable cases on every call, so sharing it across examples is safe.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=attempts)
def test_random_steps_never_reach_an_undefined_state_and_history_only_grows(book, attempts):
    actors = {
        "dispatch": book.dispatch,
        "assignee": book.assignee,
        "verifier": book.verifier,
        "stranger": book.stranger,
    }
    case = book.new_case()
    for command_name, actor_name in attempts:
        before = case
        try:
            case, raised = apply(case, command_of(command_name, book), actors[actor_name], book.now)
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
        assert len(raised) <= 1
        assert all(r.event_id == entry.event_id for r in raised)
    assert [entry.seq for entry in case.history] == list(range(1, case.version + 1))
