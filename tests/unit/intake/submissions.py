"""What a grid app submits, on the sample city: a valid report by default, any field overridden."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.intake.domain.submission import Limits, SubmitReport
from shared.city import load_city
from shared.settings import REPO_ROOT

CITY = load_city(REPO_ROOT / "city")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LIMITS = Limits(max_clock_skew=timedelta(minutes=5), max_report_age=timedelta(days=30), retry_after_seconds=5)
RESIDENT_APP = next(app for app in CITY.apps if "resident" in app.source_types)
GRID = CITY.grids[0]
INSIDE = GRID.polygon.representative_point()
CATEGORY = next(c for c in CITY.categories if c.active)


def submission(**overrides: Any) -> SubmitReport:
    """A resident's report of rubbish inside the first grid, seen an hour before ``NOW``."""
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
