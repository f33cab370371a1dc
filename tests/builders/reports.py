"""Reports as intake publishes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.events.reports import GeoPoint, ReportSubmitted

# Inside grid g-tinghu-wenfeng-02 of the sample city (city/), in H3 cell CELL.
POINT = GeoPoint(lon=120.1335, lat=33.3921)
CELL = "862a1072fffffff"


def report_submitted(**overrides: Any) -> ReportSubmitted:
    """A resident's overflowing-bin report, submitted now; override any field."""
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "report_id": uuid.uuid4(),
        "app_id": "app-resident",
        "source_type": "resident",
        "reporter_id": "resident-42",
        "category": "city_appearance.garbage_overflow",
        "description": "The bins at the north gate are overflowing.",
        "location": POINT,
        "occurred_at": now,
        "submitted_at": now,
        "cell": CELL,
    }
    fields.update(overrides)
    return ReportSubmitted(**fields)
