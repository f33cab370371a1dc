import pytest

from services.scoring.domain import UnknownCase, advance_clock, apply_event, with_ancestry
from services.scoring.domain.facts import holder_at
from tests.builders import at
from tests.unit.scoring.builders import (
    CASE,
    accepted,
    assigned,
    closed,
    failed_verification,
    opened,
    resolved,
)


def test_an_opened_case_is_placed_in_its_grid_and_its_ancestry_with_deadlines_and_no_holder():
    fact = apply_event(None, opened(grid_id="grid-a", close_by="2026-11-20T09:00"))
    assert fact.case_id == CASE
    assert (fact.grid_id, fact.community_id, fact.street_id, fact.district_id) == (
        "grid-a",
        "community-a",
        "street-a",
        "district-a",
    )
    assert fact.close_by == at("2026-11-20T09:00")
    assert fact.holder_id is None
    assert fact.closed_at is None


def test_an_assignment_starts_a_tenure_and_restarts_both_deadlines():
    fact = apply_event(None, opened(close_by="2026-11-20T09:00"))
    fact = apply_event(
        fact, assigned(assignee_id="worker-li", close_by="2026-11-22T09:00", resolve_by="2026-11-21T09:00")
    )
    assert fact.holder_id == "worker-li"
    assert fact.holder is not None
    assert fact.holder.role == "grid_worker"
    assert (fact.resolve_by, fact.close_by) == (at("2026-11-21T09:00"), at("2026-11-22T09:00"))


def test_an_assignment_into_another_grid_forgets_the_old_grids_ancestry_until_placed_again():
    fact = apply_event(None, opened(grid_id=None))
    fact = apply_event(fact, assigned(grid_id="grid-b"))
    assert (fact.grid_id, fact.community_id) == ("grid-b", None)
    placed = with_ancestry(fact, "community-b", "street-b", "district-b")
    assert (placed.community_id, placed.street_id, placed.district_id) == (
        "community-b",
        "street-b",
        "district-b",
    )


def test_an_assignment_without_a_grid_keeps_the_grid_the_case_was_opened_in():
    fact = apply_event(None, opened(grid_id="grid-a"))
    fact = apply_event(fact, assigned(grid_id=None))
    assert (fact.grid_id, fact.community_id) == ("grid-a", "community-a")


def test_later_actions_by_the_same_holder_keep_one_tenure_and_refresh_the_closing_deadline():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li"))
    fact = apply_event(fact, accepted(holder_id="worker-li", close_by="2026-11-25T09:00"))
    assert [t.holder_id for t in fact.tenures] == ["worker-li"]
    assert fact.close_by == at("2026-11-25T09:00")


def test_a_holder_scoring_did_not_see_assigned_starts_a_tenure_of_unknown_role():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li"))
    fact = apply_event(fact, resolved(holder_id="worker-zhao"))
    assert fact.holder is not None
    assert (fact.holder.holder_id, fact.holder.role) == ("worker-zhao", None)


def test_who_held_the_case_at_an_instant_is_the_last_tenure_begun_by_then():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li", at_="2026-11-10T01:05"))
    fact = apply_event(fact, assigned(assignee_id="officer-chen", at_="2026-11-15T00:00"))
    assert holder_at(fact, at("2026-11-14T23:59")).holder_id == "worker-li"  # type: ignore[union-attr]
    assert holder_at(fact, at("2026-11-15T00:00")).holder_id == "officer-chen"  # type: ignore[union-attr]
    assert holder_at(fact, at("2026-11-01T00:00")).holder_id == "worker-li"  # type: ignore[union-attr]


def test_a_resolution_is_the_handling_and_a_failed_verification_takes_it_back_as_a_rework():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li"))
    fact = apply_event(fact, resolved(at_="2026-11-11T02:00"))
    assert fact.resolved_at == at("2026-11-11T02:00")
    fact = apply_event(fact, failed_verification(at_="2026-11-11T05:00"))
    assert fact.resolved_at is None
    assert [(r.at, r.against.holder_id) for r in fact.reworks] == [(at("2026-11-11T05:00"), "worker-li")]
    fact = apply_event(fact, resolved(at_="2026-11-12T02:00"))
    assert fact.resolved_at == at("2026-11-12T02:00")


def test_a_rework_counts_against_whoever_made_the_failed_resolution_even_if_the_case_moved_since():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(assignee_id="worker-li"))
    fact = apply_event(fact, resolved(at_="2026-11-11T02:00", holder_id="worker-li"))
    fact = apply_event(fact, failed_verification(at_="2026-11-11T05:00", holder_id="worker-zhao"))
    assert fact.reworks[0].against.holder_id == "worker-li"
    assert fact.holder_id == "worker-zhao"


def test_closing_records_when_the_case_closed():
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


def test_the_clock_follows_the_events_and_the_sweep_but_never_goes_back():
    fact = apply_event(None, opened())
    fact = apply_event(fact, assigned(at_="2026-11-10T01:05"))
    assert fact.clock == at("2026-11-10T01:05")
    swept = advance_clock(fact, at("2026-11-21T00:00"))
    assert swept.clock == at("2026-11-21T00:00")
    assert advance_clock(swept, at("2026-11-12T00:00")) == swept


def test_facts_are_values_not_shared_state():
    fact = apply_event(None, opened())
    after = apply_event(fact, assigned())
    assert fact.holder_id is None
    assert after.holder_id == "worker-li"
