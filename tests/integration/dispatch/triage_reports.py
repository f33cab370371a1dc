"""Reports for the triage tests: a spot of its own per test, garbage reports there, and their outcome."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.city import load_city, report_cell
from shared.events import Envelope, encode
from shared.events.cases import CaseOpened
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.events.triage import ReportMergedIntoCase, ReportVoided
from shared.settings import REPO_ROOT
from tests.builders import report_submitted
from tests.integration.dispatch.conftest import DispatchProcess, produce

CITY = load_city(REPO_ROOT / "city")
GARBAGE = "city_appearance.garbage_overflow"  # merges within 100 m and 24 h


def spot(grid_index: int) -> GeoPoint:
    """A point of its own per test, so tests sharing the module's worker never merge across."""
    point = CITY.grids[grid_index].polygon.representative_point()
    return GeoPoint(lon=point.x, lat=point.y)


def report(where: GeoPoint, **overrides: Any) -> ReportSubmitted:
    """A garbage report at ``where``, keyed by its own cell, from a reporter of its own (the spam rule
    counts a reporter's reports)."""
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "reporter_id": f"resident-{uuid.uuid4().hex[:12]}",
        "category": GARBAGE,
        "location": where,
        "occurred_at": now - timedelta(minutes=5),
        "cell": report_cell(where.lon, where.lat),
    }
    return report_submitted(now=now, **{**fields, **overrides})


def outcome_of(submitted: ReportSubmitted) -> Callable[[Envelope], bool]:
    def matches(envelope: Envelope) -> bool:
        data = envelope.data
        return (
            isinstance(data, CaseOpened | ReportMergedIntoCase | ReportVoided)
            and data.report_id == submitted.report_id
        )

    return matches


async def send(producer: AIOKafkaProducer, dispatch: DispatchProcess, *reports: ReportSubmitted) -> None:
    for submitted in reports:
        await produce(producer, dispatch, encode(submitted, source="/gridloop/intake"))
