"""The sample city and report factories for dispatch's unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from services.dispatch.config import load_triage
from services.dispatch.domain.rules import TriageRules
from services.dispatch.domain.triage import PartitionTriage
from shared.city import City, load_city
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.settings import REPO_ROOT

CITY = load_city(REPO_ROOT / "city")
RULES: TriageRules = load_triage(REPO_ROOT / "city" / "triage.yaml", CITY)
SUBMITTED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NANJING = GeoPoint(lon=118.78, lat=32.04)  # far outside every grid of the sample city


def point_in(grid_id: str, city: City = CITY) -> GeoPoint:
    point = city.grid(grid_id).polygon.representative_point()
    return GeoPoint(lon=point.x, lat=point.y)


def make_report(**overrides: Any) -> ReportSubmitted:
    fields: dict[str, Any] = {
        "report_id": uuid.uuid4(),
        "app_id": "app-resident",
        "source_type": "resident",
        "reporter_id": "resident-42",
        "category": "city_appearance.garbage_overflow",
        "description": "The bins at the north gate are overflowing.",
        "location": point_in("g-tinghu-wenfeng-02"),
        "occurred_at": SUBMITTED_AT,
        "submitted_at": SUBMITTED_AT,
        "cell": "862a1072fffffff",
    }
    fields.update(overrides)
    return ReportSubmitted(**fields)


def city_with(**changes: Any) -> City:
    """The sample city with some of its collections replaced (re-validated and re-indexed)."""
    fields = {name: getattr(CITY, name) for name in City.model_fields}
    return City(**{**fields, **changes})


@pytest.fixture
def city() -> City:
    return CITY


def fresh_triage(rules: TriageRules = RULES) -> PartitionTriage:
    """The state of a partition that has seen no report yet."""
    return PartitionTriage(rules)
