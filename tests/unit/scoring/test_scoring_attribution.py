from zoneinfo import ZoneInfo

from services.scoring.domain import Period, Subject, affected_results, subjects_of
from tests.unit.scoring.builders import fact

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV, DEC = Period(2026, 11), Period(2026, 12)


def test_a_case_counts_for_its_holder_as_grid_worker_and_for_its_grid():
    assert subjects_of(fact(holder_id="worker-li", grid_id="grid-a")) == {
        Subject("grid_worker", "worker-li"),
        Subject("grid", "grid-a"),
    }


def test_an_unassigned_case_counts_for_its_grid_only():
    assert subjects_of(fact(holder_id=None, holder_role=None, grid_id="grid-a")) == {
        Subject("grid", "grid-a")
    }


def test_a_case_outside_every_grid_counts_for_its_worker_only():
    assert subjects_of(fact(holder_id="worker-li", grid_id=None)) == {Subject("grid_worker", "worker-li")}


def test_a_case_held_by_a_department_counts_for_no_grid_worker():
    case = fact(holder_id="handler-chen", holder_role="department_handler", grid_id="grid-a")
    assert subjects_of(case) == {Subject("grid", "grid-a")}


def test_a_holder_of_unknown_role_is_counted_as_the_grid_worker_holding_it():
    assert Subject("grid_worker", "worker-zhao") in subjects_of(
        fact(holder_id="worker-zhao", holder_role=None)
    )


def test_a_new_case_moves_the_results_of_its_subjects_in_its_period():
    after = fact(holder_id=None, holder_role=None, grid_id="grid-a", close_by="2026-11-20T09:00")
    assert affected_results(None, after, SHANGHAI) == {(Subject("grid", "grid-a"), NOV)}


def test_a_reassignment_moves_both_the_old_and_the_new_holders_results():
    before = fact(holder_id="worker-li", grid_id="grid-a", close_by="2026-11-20T09:00")
    after = fact(holder_id="worker-zhao", grid_id="grid-a", close_by="2026-11-20T09:00")
    assert affected_results(before, after, SHANGHAI) == {
        (Subject("grid_worker", "worker-li"), NOV),
        (Subject("grid_worker", "worker-zhao"), NOV),
        (Subject("grid", "grid-a"), NOV),
    }


def test_a_late_close_in_the_next_month_moves_both_months():
    before = fact(holder_id="worker-li", grid_id=None, close_by="2026-11-28T09:00")
    after = fact(
        holder_id="worker-li", grid_id=None, close_by="2026-11-28T09:00", closed_at="2026-12-02T09:00"
    )
    assert affected_results(before, after, SHANGHAI) == {
        (Subject("grid_worker", "worker-li"), NOV),
        (Subject("grid_worker", "worker-li"), DEC),
    }


def test_an_extended_deadline_moves_the_month_it_left_and_the_month_it_entered():
    before = fact(holder_id=None, holder_role=None, grid_id="grid-a", close_by="2026-11-29T09:00")
    after = fact(holder_id=None, holder_role=None, grid_id="grid-a", close_by="2026-12-03T09:00")
    assert affected_results(before, after, SHANGHAI) == {
        (Subject("grid", "grid-a"), NOV),
        (Subject("grid", "grid-a"), DEC),
    }
