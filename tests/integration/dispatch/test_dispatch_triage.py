"""Triage against the real broker, with `python -m services.dispatch`: a duplicate joins the open case, a
different category at the same spot does not, spam is voided with an event; the index survives a restart
and a SIGKILL (rebuilt from its changelog). Closures: test_dispatch_closures.py."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from shared.city import load_city, report_cell
from shared.events import Envelope, derived_id, encode
from shared.events.cases import CaseOpened
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.events.triage import ReportMergedIntoCase, ReportVoided
from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS
from tests.integration.dispatch.conftest import DispatchProcess, produce

CITY = load_city(REPO_ROOT / "city")
GARBAGE = "city_appearance.garbage_overflow"  # merges within 100 m and 24 h


def spot(grid_index: int) -> GeoPoint:
    """A point of its own per test, so tests sharing the module's worker never merge across."""
    point = CITY.grids[grid_index].polygon.representative_point()
    return GeoPoint(lon=point.x, lat=point.y)


def report(where: GeoPoint, **overrides: Any) -> ReportSubmitted:
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "report_id": uuid.uuid4(),
        "app_id": "app-resident",
        "source_type": "resident",
        "reporter_id": f"resident-{uuid.uuid4().hex[:12]}",
        "category": GARBAGE,
        "description": "The bins are overflowing.",
        "location": where,
        "occurred_at": now - timedelta(minutes=5),
        "submitted_at": now,
        "cell": report_cell(where.lon, where.lat),
    }
    fields.update(overrides)
    return ReportSubmitted(**fields)


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


async def test_a_duplicate_joins_the_open_case_and_another_category_opens_its_own(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    first = report(spot(0))
    again = report(spot(0), reporter_id="resident-second")
    lights = report(spot(0), category="public_facility.streetlight_out")

    await send(producer, dispatch, first, again, lights)

    found = await cases.collect(lambda e: outcome_of(again)(e) or outcome_of(lights)(e), count=2, within=10)
    (merged,) = [e for e in found if outcome_of(again)(e)]
    (opened,) = [e for e in found if outcome_of(lights)(e)]
    assert isinstance(merged.data, ReportMergedIntoCase)
    assert merged.data.case_id == derived_id("case", first.report_id)
    assert (merged.data.reporter_id, merged.data.case_report_id) == ("resident-second", first.report_id)
    assert isinstance(opened.data, CaseOpened)


async def test_spam_is_voided_with_its_reason_never_dropped(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    spam = report(spot(1), description="刷单返利，加微信领红包")

    await send(producer, dispatch, spam)

    (voided,) = await cases.collect(outcome_of(spam), count=1, within=10)
    assert isinstance(voided.data, ReportVoided)
    assert voided.data.reason == "blocked_words"


async def test_the_index_survives_a_restart_and_a_kill(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    first = report(spot(2))
    await send(producer, dispatch, first)
    assert await cases.collect(outcome_of(first), count=1, within=10)

    for stop in (signal.SIGTERM, signal.SIGKILL):
        await dispatch.stop(stop)
        await dispatch.start()
        again = report(spot(2))
        await send(producer, dispatch, again)
        (merged,) = await cases.collect(outcome_of(again), count=1, within=30)
        assert isinstance(merged.data, ReportMergedIntoCase), stop.name
        assert merged.data.case_id == derived_id("case", first.report_id)


async def closures_seen(dispatch: DispatchProcess) -> float:
    async with httpx.AsyncClient(base_url=dispatch.url) as client:
        text = (await client.get("/metrics")).text
    for line in text.splitlines():
        if line.startswith("gridloop_dispatch_case_closures_total "):
            return float(line.split()[1])
    return 0.0
