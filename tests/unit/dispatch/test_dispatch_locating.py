"""A report is located to the grid its point lies in, and so to that grid's community, street and
district; a point in no grid opens a case for manual triage."""

from __future__ import annotations

import pytest

from services.dispatch.domain import UNLOCATED, dispatch_report, locate
from shared.city import Grid
from shared.events.cases import CaseOpened
from tests.unit.dispatch.conftest import CITY, NANJING, SUBMITTED_AT, make_report, point_in


@pytest.mark.parametrize("grid", CITY.grids, ids=lambda grid: grid.grid_id)
def test_a_point_in_a_grid_locates_to_that_grid_and_its_ancestry(grid: Grid) -> None:
    where = locate(CITY, point_in(grid.grid_id))

    community, street, district = CITY.ancestry(grid.grid_id)
    assert (where.grid_id, where.community_id, where.street_id, where.district_id) == (
        grid.grid_id,
        community.community_id,
        street.street_id,
        district.district_id,
    )
    assert grid.grid_id in community.grid_ids
    assert community.community_id in street.community_ids
    assert street.street_id in district.street_ids


def test_a_point_outside_every_grid_is_unlocated() -> None:
    assert locate(CITY, NANJING) == UNLOCATED
    assert not UNLOCATED.located


def test_the_opened_case_carries_the_located_grid_and_ancestry() -> None:
    report = make_report(location=point_in("g-yandu-xindu-03"))

    opened = dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)[0].event

    assert isinstance(opened, CaseOpened)
    assert opened.grid_id == "g-yandu-xindu-03"
    assert opened.community_id == "c-yandu-xindu-yingbin"
    assert opened.street_id == "s-yandu-xindu"
    assert opened.district_id == "d-yandu"
    assert opened.location == report.location


def test_an_unlocated_report_opens_a_district_case_with_no_place_and_no_assignment() -> None:
    report = make_report(location=NANJING, category="city_appearance.street_vending")

    events = [outgoing.event for outgoing in dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)]

    assert len(events) == 1
    (opened,) = events
    assert isinstance(opened, CaseOpened)
    assert opened.tier == "district"
    assert (opened.grid_id, opened.community_id, opened.street_id, opened.district_id) == (None,) * 4
    # Classification still holds: the operator sees what it is and who owns it.
    assert opened.category == "city_appearance.street_vending"
    assert opened.department_id == "dept-urban-management"
