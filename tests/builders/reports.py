"""Reports as intake publishes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.events.reports import GeoPoint, ReportSubmitted

# Inside grid g-yandu-xindu-01 of the sample city (city/). CELL is a resolution-6 H3 cell serving as the
# partition key, not POINT's own (``shared.city.report_cell`` gives that): pass both when they must agree.
POINT = GeoPoint(lon=120.1335, lat=33.3921)
CELL = "862a1072fffffff"


def report_submitted(*, now: datetime | None = None, **overrides: Any) -> ReportSubmitted:
    """A resident's overflowing-bin report, occurred and submitted at ``now`` (default: the wall clock);
    override any field."""
    now = now or datetime.now(UTC)
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
