"""The sample city and report factories for dispatch's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.dispatch.config import load_triage
from services.dispatch.domain.rules import TriageRules
from services.dispatch.domain.triage import PartitionTriage
from shared.city import City, load_city
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.settings import REPO_ROOT
from tests.builders import report_submitted

CITY = load_city(REPO_ROOT / "city")
RULES: TriageRules = load_triage(REPO_ROOT / "city" / "triage.yaml", CITY)
SUBMITTED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NANJING = GeoPoint(lon=118.78, lat=32.04)  # far outside every grid of the sample city


def point_in(grid_id: str, city: City = CITY) -> GeoPoint:
    point = city.grid(grid_id).polygon.representative_point()
    return GeoPoint(lon=point.x, lat=point.y)


def make_report(**overrides: Any) -> ReportSubmitted:
    """The shared builder's report, in grid g-tinghu-wenfeng-02 and at ``SUBMITTED_AT``: a fixed instant,
    so deadlines and shifts come out the same on every run."""
    return report_submitted(now=SUBMITTED_AT, **{"location": point_in("g-tinghu-wenfeng-02"), **overrides})


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
