"""Who gets the case: a worker of the grid for grid-tier categories, the community or street officer or
the owning department above that, the grid chief when the city has nobody there; never verified by
the assignee."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest

from services.dispatch.domain import assign, case_id_for, dispatch_report, locate, pick_stably
from services.dispatch.domain.assignment import least_loaded
from shared.city import Role
from shared.events.cases import CaseAssigned
from tests.unit.dispatch.conftest import CITY, SUBMITTED_AT, city_with, make_report, point_in

GRID = "g-tinghu-wenfeng-02"  # three workers: w-tinghu-wenfeng-03, -04, -05


def assignment_for(category: str, grid_id: str = GRID, city=CITY, case_id=None):
    where = locate(city, point_in(grid_id, city))
    return assign(city, city.category(category), where, case_id or uuid.uuid4())


def test_a_grid_tier_case_goes_to_a_worker_of_its_grid_verified_by_the_grid_chief() -> None:
    assignment = assignment_for("city_appearance.garbage_overflow")

    assert assignment is not None
    assert assignment.assignee in CITY.workers_of(GRID)
    assert assignment.verifier == CITY.chief_of(GRID)
    assert (assignment.tier, assignment.unit_id) == ("grid", GRID)


def test_the_same_case_always_goes_to_the_same_worker() -> None:
    case_id = case_id_for(uuid.uuid4())

    picks = {assignment_for("city_appearance.garbage_overflow", case_id=case_id).assignee for _ in range(5)}

    assert len(picks) == 1


def test_the_pick_does_not_depend_on_the_order_people_are_listed_in() -> None:
    workers = CITY.workers_of(GRID)
    case_id = uuid.uuid4()
    assert pick_stably(workers, case_id) == pick_stably(tuple(reversed(workers)), case_id)


def test_cases_spread_over_all_the_grids_workers() -> None:
    picks = Counter(pick_stably(CITY.workers_of(GRID), uuid.uuid4()).person_id for _ in range(300))

    assert set(picks) == {worker.person_id for worker in CITY.workers_of(GRID)}
    assert min(picks.values()) > 50  # roughly even: 100 each expected


def test_picking_from_nobody_is_an_error() -> None:
    with pytest.raises(ValueError, match="nobody"):
        pick_stably((), uuid.uuid4())


@pytest.mark.parametrize(
    ("category", "role", "unit_id", "tier"),
    [
        ("city_appearance.street_vending", "community_officer", "c-tinghu-wenfeng-yulong", "community"),
        # Wenfeng street has two street officers: either may take it.
        ("city_appearance.abandoned_vehicle", "street_officer", "s-tinghu-wenfeng", "street"),
        ("public_facility.manhole_cover", "department_handler", "dept-utilities", "district"),
    ],
)
def test_a_case_above_grid_tier_goes_to_the_officer_or_department_of_that_tier(
    category: str, role: Role, unit_id: str, tier: str
) -> None:
    assignment = assignment_for(category)

    assert assignment is not None
    assert assignment.assignee in CITY.members_of(unit_id, role=role)
    assert (assignment.tier, assignment.unit_id) == (tier, unit_id)
    assert assignment.verifier == CITY.chief_of(GRID)


def test_with_nobody_at_the_tier_the_grid_chief_takes_it_and_a_supervisor_verifies() -> None:
    without_officers = city_with(people=tuple(p for p in CITY.people if p.role != "community_officer"))

    assignment = assignment_for("city_appearance.street_vending", city=without_officers)

    assert assignment is not None
    assert assignment.assignee == without_officers.chief_of(GRID)
    assert assignment.tier == "grid"
    assert assignment.verifier.role == "supervisor"
    assert assignment.verifier.unit_id == "d-tinghu"


def test_the_verifier_is_never_the_assignee() -> None:
    for grid in CITY.grids:
        for category in CITY.categories:
            assignment = assignment_for(category.code, grid.grid_id)
            assert assignment is not None
            assert assignment.verifier.person_id != assignment.assignee.person_id


def test_the_assigned_event_names_assignee_verifier_unit_and_grid() -> None:
    report = make_report(location=point_in(GRID), category="city_appearance.street_vending")

    assigned = dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)[1].event

    assert isinstance(assigned, CaseAssigned)
    assert assigned.case_id == case_id_for(report.report_id)
    assert (assigned.assignee_id, assigned.assignee_role) == ("co-tinghu-wenfeng-yulong", "community_officer")
    assert (assigned.tier, assigned.unit_id) == ("community", "c-tinghu-wenfeng-yulong")
    assert assigned.verifier_id == "gc-tinghu-wenfeng-02"
    assert assigned.grid_id == GRID


# --- on duty, least loaded -----------------------------------------------------------------------------

NIGHT = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 04:00 in Yancheng: only the night shift works


def test_a_grid_case_goes_to_a_worker_on_duty_at_the_dispatch_instant() -> None:
    on_duty = CITY.on_duty(GRID, NIGHT)
    assert 0 < len(on_duty) < len(CITY.workers_of(GRID))  # the sample city's shifts, as this test needs

    where = locate(CITY, point_in(GRID))
    garbage = CITY.category("city_appearance.garbage_overflow")
    assignments = [assign(CITY, garbage, where, uuid.uuid4(), at=NIGHT) for _ in range(30)]
    picks = {assignment.assignee for assignment in assignments if assignment is not None}

    assert picks <= set(on_duty)


def test_a_report_dispatched_at_night_is_assigned_to_the_night_shift() -> None:
    report = make_report(location=point_in(GRID), submitted_at=NIGHT)

    assigned = dispatch_report(report, city=CITY, dispatched_at=NIGHT)[1].event

    assert isinstance(assigned, CaseAssigned)
    assert assigned.assignee_id in {worker.person_id for worker in CITY.on_duty(GRID, NIGHT)}


def test_the_least_loaded_worker_takes_the_case() -> None:
    workers = CITY.workers_of(GRID)
    load = {worker.person_id: 5 - n for n, worker in enumerate(workers)}  # the last one holds the fewest

    assert least_loaded(workers, uuid.uuid4(), load.__getitem__) == workers[-1]


def test_equally_loaded_workers_share_cases_as_the_stable_pick_would() -> None:
    workers = CITY.workers_of(GRID)
    case_id = uuid.uuid4()

    assert least_loaded(workers, case_id, lambda person_id: 2) == pick_stably(workers, case_id)


def test_assignment_weighs_the_workload_of_the_workers_on_duty_only() -> None:
    where = locate(CITY, point_in(GRID))
    garbage = CITY.category("city_appearance.garbage_overflow")
    on_duty = {worker.person_id for worker in CITY.on_duty(GRID, NIGHT)}
    # Whoever is off duty holds nothing, yet gets nothing.
    load = {worker.person_id: (9 if worker.person_id in on_duty else 0) for worker in CITY.workers_of(GRID)}

    assignment = assign(CITY, garbage, where, uuid.uuid4(), at=NIGHT, workload=load.__getitem__)

    assert assignment is not None
    assert assignment.assignee.person_id in on_duty
