"""Dispatch's triage outcomes besides a case of their own: a report merged into an open case, a report
voided."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.events.reports import GeoPoint
from shared.events.triage import ReportMergedIntoCase, ReportVoided


def report_merged(*, now: datetime | None = None, **overrides: Any) -> ReportMergedIntoCase:
    """A rider's report of the same rubbish, 12 m from the case it joined at ``now``."""
    now = now or datetime.now(UTC)
    fields: dict[str, Any] = {
        "case_id": uuid.uuid4(),
        "occurred_at": now,
        "report_id": uuid.uuid4(),
        "case_report_id": uuid.uuid4(),
        "category": "environment.rubbish",
        "source_type": "delivery_rider",
        "reporter_id": "rider-7",
        "app_id": "rider-app",
        "description": "same pile, seen from the road",
        "location": GeoPoint(lon=120.16, lat=33.35),
        "distance_m": 12,
        "submitted_at": now,
        "priority": "normal",
    }
    fields.update(overrides)
    return ReportMergedIntoCase(**fields)


def report_voided(*, now: datetime | None = None, **overrides: Any) -> ReportVoided:
    """A rider's report voided at ``now`` for advertising (blocked words): never a case."""
    fields: dict[str, Any] = {
        "report_id": uuid.uuid4(),
        "occurred_at": now or datetime.now(UTC),
        "reason": "blocked_words",
        "detail": "advertising",
        "category": "environment.rubbish",
        "source_type": "delivery_rider",
        "reporter_id": "rider-7",
        "app_id": "rider-app",
        "location": GeoPoint(lon=120.16, lat=33.35),
        "grid_id": None,
        "district_id": None,
    }
    fields.update(overrides)
    return ReportVoided(**fields)
