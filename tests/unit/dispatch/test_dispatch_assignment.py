"""Who gets the case: a worker of the grid for grid-tier categories, the community or street officer or
the owning department above that, the grid chief when the city has nobody there; never verified by
the assignee."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from services.dispatch.domain import assign, case_id_for, dispatch_report, locate, pick_stably
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
