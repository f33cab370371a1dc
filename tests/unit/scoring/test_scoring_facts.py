from dataclasses import replace

import pytest

from services.scoring.domain import UnknownCase, apply_event
from tests.unit.scoring.builders import CASE, accepted, assigned, at, closed, opened, resolved


def test_an_opened_case_is_located_in_its_grid_with_its_deadline_and_no_holder():
    fact = apply_event(None, opened(grid_id="grid-a", close_by="2026-11-20T09:00"))
    assert fact.case_id == CASE
    assert fact.grid_id == "grid-a"
    assert fact.close_by == at("2026-11-20T09:00")
    assert fact.holder_id is None
    assert fact.closed_at is None


def test_an_assignment_makes_the_assignee_the_holder_and_restarts_the_deadline():
    fact = apply_event(None, opened(close_by="2026-11-20T09:00"))
    fact = apply_event(fact, assigned(assignee_id="worker-li", close_by="2026-11-22T09:00"))
    assert fact.holder_id == "worker-li"
    assert fact.holder_role == "grid_worker"
    assert fact.close_by == at("2026-11-22T09:00")


def test_an_assignment_that_names_a_grid_locates_a_case_opened_outside_every_grid():
    fact = apply_event(None, opened(grid_id=None))
    fact = apply_event(fact, assigned(grid_id="grid-b"))
    assert fact.grid_id == "grid-b"


def test_an_assignment_without_a_grid_keeps_the_grid_the_case_was_opened_in():
    fact = apply_event(None, opened(grid_id="grid-a"))
    fact = apply_event(fact, assigned(grid_id=None))
    assert fact.grid_id == "grid-a"


def test_later_actions_refresh_holder_and_deadline_from_the_event():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li"))
    fact = apply_event(fact, accepted(holder_id="worker-li", close_by="2026-11-25T09:00"))
    assert fact.holder_id == "worker-li"
    assert fact.holder_role == "grid_worker"
    assert fact.close_by == at("2026-11-25T09:00")


def test_a_holder_scoring_did_not_see_assigned_has_an_unknown_role():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li"))
    fact = apply_event(fact, resolved(holder_id="worker-zhao"))
    assert fact.holder_id == "worker-zhao"
    assert fact.holder_role is None


def test_closing_records_when_and_by_whose_holding_the_case_closed():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned())
    fact = apply_event(fact, closed(at_="2026-11-12T02:00", holder_id="worker-li"))
    assert fact.closed_at == at("2026-11-12T02:00")
    assert fact.holder_id == "worker-li"


def test_a_second_close_does_not_move_the_first_closing_time():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned())
    fact = apply_event(fact, closed(at_="2026-11-12T02:00"))
    fact = apply_event(fact, closed(at_="2026-11-15T02:00"))
    assert fact.closed_at == at("2026-11-12T02:00")


def test_an_opening_seen_again_does_not_undo_what_dispatch_set_since():
    fact = apply_event(None, opened(close_by="2026-11-20T09:00"))
    fact = apply_event(fact, assigned(close_by="2026-11-22T09:00"))
    assert apply_event(fact, opened(close_by="2026-11-20T09:00")) == fact


@pytest.mark.parametrize("event", [assigned(), accepted(), resolved(), closed()])
def test_an_event_about_a_case_never_opened_cannot_be_applied(event):
    with pytest.raises(UnknownCase, match=str(CASE)):
        apply_event(None, event)


def test_facts_are_values_not_shared_state():
    fact = apply_event(None, opened())
    after = apply_event(fact, assigned())
    assert fact.holder_id is None
    assert after == replace(fact, holder_id="worker-li", holder_role="grid_worker")
