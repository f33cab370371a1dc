"""Dispatch against the real broker: each report becomes CaseOpened then CaseAssigned on the case-events
topic, garbage becomes a dead letter, a report seen twice yields the same events, and a restarted worker
picks up where it left off."""

from __future__ import annotations

import asyncio
import base64
import re
import signal
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from prometheus_client import CONTENT_TYPE_LATEST

from services.dispatch.closures import CLOSURES_TOPIC
from shared.city import load_city
from shared.events import Envelope, derived_id, encode
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.dead_letters import DeadLetterRecorded
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS, DEAD_LETTERS, REPORTS
from tests.builders import report_submitted
from tests.integration.dispatch.conftest import (
    SESSION_TIMEOUT_SECONDS,
    SLA_SCALE,
    DispatchProcess,
    produce,
    uncommitted,
)

CITY = load_city(REPO_ROOT / "city")
GRID = "g-tinghu-wenfeng-02"
INSIDE = CITY.grid(GRID).polygon.representative_point()
NANJING = GeoPoint(lon=118.78, lat=32.04)
LAG_TOPIC = re.compile(r'^gridloop_dispatch_consumer_lag_messages\{topic="([^"]+)"\}', re.M)


def report(**overrides: Any) -> ReportSubmitted:
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        # A reporter of its own (the spam rule counts reports per reporter) and a category that never
        # merges, so that every report opens its own case; the merge tests choose otherwise.
        "reporter_id": f"resident-{uuid.uuid4().hex[:12]}",
        "category": "dispute.neighbour_noise",
        "location": GeoPoint(lon=INSIDE.x, lat=INSIDE.y),
        "occurred_at": now - timedelta(minutes=5),
    }
    return report_submitted(now=now, **{**fields, **overrides})


def case_of(submitted: ReportSubmitted) -> uuid.UUID:
    return derived_id("case", submitted.report_id)


def about(case_id: uuid.UUID) -> Callable[[Envelope], bool]:
    return lambda envelope: getattr(envelope.data, "case_id", None) == case_id


async def test_a_report_becomes_an_opened_then_assigned_case(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    submitted = report(category="city_appearance.garbage_overflow")
    case_id = case_of(submitted)

    await produce(producer, dispatch, encode(submitted, source="/gridloop/intake"))

    opened, assigned = await cases.collect(about(case_id), count=3, within=4)
    assert isinstance(opened.data, CaseOpened)
    assert isinstance(assigned.data, CaseAssigned)
    assert (opened.id, assigned.id) == (
        str(derived_id(case_id, "opened")),
        str(derived_id(case_id, "assigned")),
    )
    assert opened.source == assigned.source == "/gridloop/dispatch"
    assert (opened.data.report_id, opened.data.grid_id, opened.data.district_id) == (
        submitted.report_id,
        GRID,
        "d-tinghu",
    )
    assert assigned.data.assignee_id in {worker.person_id for worker in CITY.workers_of(GRID)}
    assert assigned.data.verifier_id == CITY.chief_of(GRID).person_id
    # P1D divided by the worker's SLA scale.
    assert opened.data.resolve_by - opened.data.occurred_at == timedelta(days=1) / SLA_SCALE


async def test_a_report_in_no_grid_is_opened_for_manual_triage_and_not_assigned(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    submitted = report(location=NANJING)

    await produce(producer, dispatch, encode(submitted, source="/gridloop/intake"))

    (opened,) = await cases.collect(about(case_of(submitted)), count=2, within=4)
    assert isinstance(opened.data, CaseOpened)
    assert (opened.data.tier, opened.data.grid_id, opened.data.district_id) == ("district", None, None)


async def test_garbage_on_the_reports_topic_becomes_a_dead_letter(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    letters = await tail(dispatch.topic(DEAD_LETTERS.name))
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    garbage = f"not a cloud event {uuid.uuid4()}".encode()
    after = report()

    await producer.send_and_wait(
        dispatch.topic(REPORTS.name), garbage, key=b"cell", headers=[("ce_type", b"nonsense")]
    )
    await produce(producer, dispatch, encode(after, source="/gridloop/intake"))

    def is_our_garbage(envelope: Envelope) -> bool:
        data = envelope.data
        return (
            isinstance(data, DeadLetterRecorded)
            and data.original_value_b64 == base64.b64encode(garbage).decode()
        )

    (letter,) = await letters.collect(is_our_garbage, count=1, within=10)
    assert isinstance(letter.data, DeadLetterRecorded)
    assert (letter.data.consumer, letter.data.original_topic) == ("dispatch", dispatch.topic(REPORTS.name))
    assert letter.data.error.startswith("not a binary-mode CloudEvent")
    # The worker moved on: the next report was dispatched.
    assert len(await cases.collect(about(case_of(after)), count=2, within=10)) == 2


async def test_the_same_report_twice_yields_identical_events(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    submitted = report()

    # A redelivery, or intake publishing a client's retry: the second copy has its own CloudEvents id.
    await produce(producer, dispatch, encode(submitted, source="/gridloop/intake"))
    await produce(producer, dispatch, encode(submitted, source="/gridloop/intake"))

    first_opened, first_assigned, again_opened, again_assigned = await cases.collect(
        about(case_of(submitted)), count=4, within=10
    )
    assert (first_opened.id, first_assigned.id) == (again_opened.id, again_assigned.id)
    assert (first_opened.data, first_assigned.data) == (again_opened.data, again_assigned.data)
    assert first_opened.time == again_opened.time


async def test_health_readiness_and_metrics_are_served(dispatch: DispatchProcess) -> None:
    async with httpx.AsyncClient(base_url=dispatch.url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "checks": {"consumer": True, "producer": True, "kafka": True},
        }
        metrics = await client.get("/metrics")
    assert metrics.headers["content-type"] == CONTENT_TYPE_LATEST
    text = metrics.text
    assert 'gridloop_dispatch_cases_opened_total{tier="grid"}' in text
    assert "gridloop_dispatch_reports_unlocated_total 1.0" in text
    reports = dispatch.topic(REPORTS.name)
    assert f'gridloop_dispatch_events_consumed_total{{outcome="dead_lettered",topic="{reports}"}} 1.0' in text
    assert f'gridloop_dispatch_events_produced_total{{topic="{dispatch.topic(CASE_EVENTS.name)}"}}' in text
    assert "gridloop_dispatch_consumer_lag_messages" in text


async def test_the_lag_gauge_measures_the_topics_dispatch_consumes_not_its_changelog(
    dispatch: DispatchProcess,
) -> None:
    """faust reads the changelog only to recover the state: its gauge would grow with every report and
    never come back to zero, and the lag alert would fire with nothing left to process."""
    consumed = {dispatch.topic(name) for name in (REPORTS.name, CASE_EVENTS.name, CLOSURES_TOPIC)}
    measured: set[str] = set()
    async with httpx.AsyncClient(base_url=dispatch.url) as client:
        deadline = asyncio.get_running_loop().time() + 10
        # The gauge is measured every 0.5 s here; wait until it has seen every topic's partitions.
        while measured != consumed and asyncio.get_running_loop().time() < deadline:
            text = (await client.get("/metrics")).text
            measured = set(LAG_TOPIC.findall(text))
            assert measured <= consumed, text
            await asyncio.sleep(0.5)
    assert measured == consumed


async def test_reports_sent_while_the_worker_is_down_are_dispatched_after_it_restarts(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    before = report()
    await produce(producer, dispatch, encode(before, source="/gridloop/intake"))
    assert len(await cases.collect(about(case_of(before)), count=2, within=10)) == 2

    assert await dispatch.stop(signal.SIGTERM) == 0
    while_down = report()
    await produce(producer, dispatch, encode(while_down, source="/gridloop/intake"))
    await dispatch.start()

    assert len(await cases.collect(about(case_of(while_down)), count=2, within=20)) == 2
    # The report dispatched before the stop had its offset committed: it is not dispatched again.
    assert await cases.collect(about(case_of(before)), count=1, within=2) == []


async def test_no_report_is_lost_when_the_worker_is_killed_mid_stream(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    reports = [report() for _ in range(3000)]
    expected = {case_of(r) for r in reports}

    def ours(envelope: Envelope) -> bool:
        return isinstance(envelope.data, CaseAssigned) and envelope.data.case_id in expected

    def case_ids(envelopes: list[Envelope]) -> set[uuid.UUID]:
        return {e.data.case_id for e in envelopes if isinstance(e.data, CaseAssigned)}

    # A backlog waits for the worker, so that the kill lands in the middle of it.
    assert await dispatch.stop(signal.SIGTERM) == 0
    deliveries = []
    for submitted in reports:
        record = encode(submitted, source="/gridloop/intake")
        topic = dispatch.topic(record.topic)
        deliveries.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
    await asyncio.gather(*deliveries)
    await dispatch.start()
    seen_before_kill = case_ids(await cases.collect(ours, count=1, within=10))
    await dispatch.stop(signal.SIGKILL)
    assert 0 < len(seen_before_kill) < len(expected)

    await asyncio.sleep(SESSION_TIMEOUT_SECONDS + 2)  # the dead member has left the group
    await dispatch.start()
    assigned = set(seen_before_kill)
    deadline = asyncio.get_running_loop().time() + 60
    while assigned != expected and asyncio.get_running_loop().time() < deadline:
        assigned |= case_ids(await cases.collect(ours, count=10_000, within=1))
    assert len(expected - assigned) == 0
    # ...and the worker commits what it has done: a restart now would not start over.
    left = await uncommitted(dispatch, REPORTS.name)
    for _ in range(60):
        if left == 0:
            break
        await asyncio.sleep(0.5)
        left = await uncommitted(dispatch, REPORTS.name)
    assert left == 0
