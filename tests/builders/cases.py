"""Dispatch's case events (opened, assigned) as handling, scoring and the benchmarks consume them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.reports import GeoPoint


def case_opened(*, now: datetime | None = None, **overrides: Any) -> CaseOpened:
    """A resident's rubbish case in grid ``g-01``, opened at ``now``, to be handled within two days."""
    now = now or datetime.now(UTC)
    fields: dict[str, Any] = {
        "case_id": uuid.uuid4(),
        "occurred_at": now,
        "report_id": uuid.uuid4(),
        "category": "environment.rubbish",
        "nature": "event",
        "priority": "normal",
        "tier": "grid",
        "location": GeoPoint(lon=120.16, lat=33.35),
        "description": "rubbish piling up by the east gate",
        "grid_id": "g-01",
        "community_id": "c-01",
        "street_id": "s-01",
        "district_id": "d-01",
        "department_id": None,
        "source_type": "resident",
        "reporter_id": "r-1",
        "app_id": "resident-app",
        "resolve_by": now + timedelta(days=2),
        "close_by": now + timedelta(days=3),
    }
    fields.update(overrides)
    return CaseOpened(**fields)


def case_assigned(*, now: datetime | None = None, **overrides: Any) -> CaseAssigned:
    """Grid worker ``w-001`` of ``g-01`` assigned at ``now``, chief ``c-001`` verifies."""
    now = now or datetime.now(UTC)
    fields: dict[str, Any] = {
        "case_id": uuid.uuid4(),
        "occurred_at": now,
        "assignee_id": "w-001",
        "assignee_role": "grid_worker",
        "tier": "grid",
        "unit_id": "g-01",
        "verifier_id": "c-001",
        "grid_id": "g-01",
        "resolve_by": now + timedelta(days=2),
        "close_by": now + timedelta(days=3),
        "yellow_at": now + timedelta(days=1, hours=12),
        "red_at": now + timedelta(days=2),
    }
    fields.update(overrides)
    return CaseAssigned(**fields)
