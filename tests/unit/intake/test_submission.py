"""The rules that decide whether intake takes a report, on the sample city."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import h3
import pytest
from shapely import Polygon, union_all

from services.intake.domain.placing import CommunityCells
from services.intake.domain.submission import Rejection, SubmitReport, accept_report
from shared.city.coordinates import report_cell, wgs84_to_gcj02
from tests.unit.intake.submissions import CATEGORY, CITY, INSIDE, LIMITS, NOW, RESIDENT_APP, submission


def accept(s: SubmitReport) -> Any:
    return accept_report(s, app=RESIDENT_APP, city=CITY, limits=LIMITS, now=NOW)


def rejection_code(s: SubmitReport) -> str:
    with pytest.raises(Rejection) as caught:
        accept(s)
    return caught.value.code


def test_a_valid_report_becomes_an_event_keyed_by_its_cell() -> None:
    s = submission()
    report = accept(s)
    assert report.report_id == s.report_id
    assert report.app_id == RESIDENT_APP.app_id
    assert report.category == CATEGORY.code
    assert (report.location.lon, report.location.lat) == (INSIDE.x, INSIDE.y)
    assert report.partition_key() == report.cell
    assert report.submitted_at == NOW


def test_gcj02_coordinates_are_converted_to_wgs84_within_a_metre() -> None:
    lon, lat = wgs84_to_gcj02(INSIDE.x, INSIDE.y)
    report = accept(submission(location={"lon": lon, "lat": lat, "crs": "GCJ02"}))
    assert report.reported_crs == "GCJ02"
    assert abs(report.location.lon - INSIDE.x) < 1e-5
    assert abs(report.location.lat - INSIDE.y) < 1e-5


def test_an_unknown_category_is_refused_by_name() -> None:
    assert rejection_code(submission(category="nonsense.category")) == "unknown_category"


def test_a_point_outside_the_city_is_refused() -> None:
    assert rejection_code(submission(location={"lon": 116.39, "lat": 39.9})) == "outside_city"


def test_an_app_may_only_post_as_its_own_source_types() -> None:
    assert rejection_code(submission(source_type="sensor")) == "source_type_not_allowed"


def test_a_report_from_the_future_is_refused() -> None:
    future = (NOW + timedelta(hours=1)).isoformat()
    assert rejection_code(submission(occurred_at=future)) == "occurred_in_future"


def test_a_report_older_than_the_limit_is_refused() -> None:
    old = (NOW - timedelta(days=31)).isoformat()
    assert rejection_code(submission(occurred_at=old)) == "report_too_old"


def test_a_naive_timestamp_is_invalid_input() -> None:
    with pytest.raises(ValueError, match="timezone"):
        submission(occurred_at="2026-11-27T08:00:00")


# --- address-only reports (a caller on the 12345 hotline gives no coordinates) -------------------------

YULONG = "c-tinghu-wenfeng-yulong"
YULONG_ADDRESS = "亭湖区 毓龙西路 18 号"  # the gazetteer places it in Yulong


def test_a_report_with_only_an_address_is_accepted_without_a_point() -> None:
    report = accept(submission(location=None, address=f"  {YULONG_ADDRESS} "))

    assert report.location is None
    assert report.address == YULONG_ADDRESS  # trimmed
    assert report.reported_crs == "WGS84"


def test_an_address_only_report_is_keyed_by_a_cell_its_community_lies_in() -> None:
    report = accept(submission(location=None, address=YULONG_ADDRESS))

    assert report.cell is not None
    assert report.partition_key() == report.cell
    community = union_all([g.polygon for g in CITY.grids if g.community_id == YULONG])
    cell = Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(report.cell)])
    # The partition of point reports made in the community.
    assert cell.intersects(community)


def test_the_same_community_gives_every_address_in_it_the_same_key() -> None:
    cells = CommunityCells(CITY)
    first = accept_report(
        submission(location=None, address="毓龙社区3号楼"),
        app=RESIDENT_APP,
        city=CITY,
        limits=LIMITS,
        now=NOW,
        community_cells=cells,
    )
    second = accept(submission(location=None, address=YULONG_ADDRESS))
    assert first.cell == second.cell == cells.cell_of(YULONG)


def test_an_address_the_gazetteer_does_not_know_is_accepted_and_keyed_by_the_report_id() -> None:
    s = submission(location=None, address="南京市鼓楼区中山路1号")
    report = accept(s)

    assert report.cell is None
    assert report.partition_key() == str(s.report_id)


@pytest.mark.parametrize("address", [None, "", "   ", " ，。— "])
def test_a_report_without_a_location_or_an_address_names_both_fields(address: str | None) -> None:
    with pytest.raises(Rejection) as caught:
        accept(submission(location=None, address=address))

    assert caught.value.code == "location_or_address_required"
    assert caught.value.fields == ("location", "address")


def test_a_blank_address_beside_a_point_counts_as_none() -> None:
    report = accept(submission(address="   "))

    assert report.address is None
    assert report.location is not None


def test_a_point_and_an_address_keep_both_and_the_point_keys_the_report() -> None:
    report = accept(submission(address=YULONG_ADDRESS))

    assert report.location is not None
    assert report.address == YULONG_ADDRESS
    assert report.cell == report_cell(INSIDE.x, INSIDE.y)


def test_a_point_outside_the_city_is_refused_even_with_an_address() -> None:
    assert rejection_code(submission(location={"lon": 116.39, "lat": 39.9}, address=YULONG_ADDRESS)) == (
        "outside_city"
    )
