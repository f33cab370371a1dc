"""The rules that decide whether intake takes a report, on the sample city."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.intake.domain.submission import Limits, Rejection, SubmitReport, accept_report
from shared.city import load_city
from shared.city.coordinates import wgs84_to_gcj02
from shared.settings import REPO_ROOT

CITY = load_city(REPO_ROOT / "city")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LIMITS = Limits(max_clock_skew=timedelta(minutes=5), max_report_age=timedelta(days=30), retry_after_seconds=5)
RESIDENT_APP = next(app for app in CITY.apps if "resident" in app.source_types)
GRID = CITY.grids[0]
INSIDE = GRID.polygon.representative_point()
CATEGORY = next(c for c in CITY.categories if c.active)


def submission(**overrides: Any) -> SubmitReport:
    body: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "source_type": "resident",
        "reporter_id": "resident-42",
        "category": CATEGORY.code,
        "description": "Rubbish has been piling up next to building 3 for two days.",
        "location": {"lon": INSIDE.x, "lat": INSIDE.y},
        "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
    }
    body.update(overrides)
    return SubmitReport.model_validate(body)


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
