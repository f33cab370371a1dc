"""The agent, driven through faust's test context: reports in, records published, dead letters for what
cannot be used, and no message acknowledged before the broker has acknowledged its output."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import faust
import pytest
from faust.contrib.asgi import bind_to_running_loop
from faust.types import TP, AgentT

from services.dispatch.agents import ReportDispatcher, register_agent
from services.dispatch.domain import case_id_for
from services.dispatch.domain.changes import Change
from services.dispatch.metrics import DispatchMetrics
from services.dispatch.offsets import ConsumedOffsets
from services.dispatch.state import TriageStates
from shared.events import KafkaRecord, decode, encode
from shared.events.cases import CaseOpened
from shared.events.dead_letters import DeadLetterRecorded
from shared.events.triage import ReportMergedIntoCase
from shared.topics import REPORTS
from tests.unit.dispatch.conftest import CITY, NANJING, RULES, make_report
from tests.unit.dispatch.offset_port import FakeOffsetPort


class RecordingPublisher:
    """Stands in for Kafka: keeps what is published; `hold()` makes publishing wait for `release()`."""

    def __init__(self) -> None:
        self.records: list[KafkaRecord] = []
        self.changelog: RecordingChangelog | None = None
        self._open = asyncio.Event()
        self._open.set()
        self._changed = asyncio.Condition()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def publish(self, records: Sequence[KafkaRecord]) -> None:
        await self._open.wait()
        async with self._changed:
            self.records += records
            self._changed.notify_all()

    async def wait_for(self, count: int, within: float = 5.0) -> list[KafkaRecord]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.records) >= count), within)
        return self.records


class RecordingChangelog:
    """Stands in for the changelog topic: what was written, and when it was flushed (by record count)."""

    def __init__(self, publisher: RecordingPublisher) -> None:
        self.written: list[tuple[int, Change]] = []
        self.flushed_before_records: list[int] = []
        self._publisher = publisher

    def write(self, partition: int, changes) -> None:
        self.written += [(partition, change) for change in changes]

    async def flush(self) -> None:
        self.flushed_before_records.append(len(self._publisher.records))


@pytest.fixture
async def running() -> AsyncIterator[tuple[AgentT[Any], RecordingPublisher, DispatchMetrics]]:
    app = faust.App(f"dispatch-unit-{uuid.uuid4().hex[:8]}", store="memory://", autodiscover=False)
    bind_to_running_loop(app)
    publisher = RecordingPublisher()
    metrics = DispatchMetrics()
    changelog = RecordingChangelog(publisher)
    publisher.changelog = changelog  # for the tests that look at the state's changes
    dispatcher = ReportDispatcher(
        city=CITY,
        rules=RULES,
        states=TriageStates(RULES),
        changelog=changelog,
        sla_scale=1.0,
        publisher=publisher,
        metrics=metrics,
    )
    # The test context puts messages to partition 0 at offsets 0, 1, 2, ...
    offsets = ConsumedOffsets(FakeOffsetPort({TP(REPORTS.name, 0)}), topics=frozenset({REPORTS.name}))
    agent = register_agent(app, dispatcher, offsets, batch_size=10, batch_within=0.01)
    app.finalize()
    app.flow_control.resume()  # without it, put() waits for a consumer that never starts
    async with agent.test_context() as tested:
        yield tested, publisher, metrics


async def put(agent, record: KafkaRecord):
    return await agent.put(value=record.value, key=record.key, headers=record.headers)


async def test_a_report_put_to_the_agent_is_published_as_opened_and_assigned(running) -> None:
    agent, publisher, metrics = running
    report = make_report()

    await put(agent, encode(report, source="/gridloop/intake"))

    records = await publisher.wait_for(2)
    types = [decode(r.headers, r.value).type for r in records]
    assert types == ["gridloop.case.opened.v1", "gridloop.case.assigned.v1"]
    assert metrics.cases_opened.labels("grid")._value.get() == 1


async def test_an_unlocated_report_is_opened_only_and_counted(running) -> None:
    agent, publisher, metrics = running

    await put(agent, encode(make_report(location=NANJING), source="/gridloop/intake"))

    (record,) = await publisher.wait_for(1)
    opened = decode(record.headers, record.value).data
    assert isinstance(opened, CaseOpened)
    assert opened.grid_id is None
    assert metrics.reports_unlocated._value.get() == 1


async def test_a_report_placed_by_its_address_is_not_counted_as_unlocated(running) -> None:
    agent, publisher, metrics = running

    report = make_report(location=NANJING, address="亭湖区 毓龙西路 18 号")  # Yulong, by the gazetteer
    await put(agent, encode(report, source="/gridloop/intake"))

    record, _assigned = await publisher.wait_for(2)
    opened = decode(record.headers, record.value).data
    assert isinstance(opened, CaseOpened)
    assert (opened.grid_id, opened.community_id) == (None, "c-tinghu-wenfeng-yulong")
    assert metrics.reports_unlocated._value.get() == 0


async def test_an_address_only_report_is_placed_by_address_or_counted_unlocated_never_dead(running) -> None:
    agent, publisher, metrics = running
    placed = make_report(location=None, address="亭湖区 毓龙西路 18 号")  # Yulong, by the gazetteer
    unplaced = make_report(location=None, address="南京市鼓楼区中山路1号", reporter_id="caller-2")

    for report in (placed, unplaced):
        await put(agent, encode(report, source="/gridloop/intake"))

    records = await publisher.wait_for(3)
    events = [decode(r.headers, r.value).data for r in records]
    assert sorted(type(e).__name__ for e in events) == ["CaseAssigned", "CaseOpened", "CaseOpened"]
    opened = {e.report_id: e for e in events if isinstance(e, CaseOpened)}
    assert (opened[placed.report_id].location, opened[placed.report_id].community_id) == (
        None,
        "c-tinghu-wenfeng-yulong",
    )
    assert (opened[unplaced.report_id].location, opened[unplaced.report_id].community_id) == (None, None)
    assert metrics.reports_unlocated._value.get() == 1


async def test_garbage_becomes_a_dead_letter_and_the_agent_moves_on(running) -> None:
    agent, publisher, metrics = running

    await agent.put(value=b"\x00not a cloud event", key=b"k", headers=[("ce_type", b"nonsense")])
    await put(agent, encode(make_report(), source="/gridloop/intake"))

    dead, opened, _assigned = await publisher.wait_for(3)
    letter = decode(dead.headers, dead.value).data
    assert isinstance(letter, DeadLetterRecorded)
    assert letter.consumer == "dispatch"
    assert letter.original_value_b64 == "AG5vdCBhIGNsb3VkIGV2ZW50"
    assert letter.original_topic == "gridloop.reports"
    assert letter.error.startswith("not a binary-mode CloudEvent")
    assert decode(opened.headers, opened.value).type == "gridloop.case.opened.v1"
    assert metrics.events_consumed.labels(letter.original_topic, "dead_lettered")._value.get() == 1


async def test_a_report_is_acknowledged_only_after_its_events_are_published(running) -> None:
    agent, publisher, _ = running
    publisher.hold()

    event = await put(agent, encode(make_report(), source="/gridloop/intake"))
    await asyncio.sleep(0.2)  # the batch is taken and waits on the publisher
    assert not publisher.records
    assert not event.message.acked

    publisher.release()
    await publisher.wait_for(2)
    for _ in range(50):
        if event.message.acked:
            break
        await asyncio.sleep(0.02)
    assert event.message.acked


async def test_a_duplicate_nearby_is_published_as_merged_into_the_first_case(running) -> None:
    agent, publisher, metrics = running
    first = make_report(reporter_id="resident-1")
    again = make_report(reporter_id="resident-2", description="Bins full at the north gate again")

    await put(agent, encode(first, source="/gridloop/intake"))
    await put(agent, encode(again, source="/gridloop/intake"))

    *_, merged_record = await publisher.wait_for(3)
    merged = decode(merged_record.headers, merged_record.value).data
    assert isinstance(merged, ReportMergedIntoCase)
    assert (merged.case_id, merged.case_report_id) == (case_id_for(first.report_id), first.report_id)
    assert (merged.report_id, merged.reporter_id) == (again.report_id, "resident-2")
    assert merged_record.key == str(case_id_for(first.report_id)).encode()
    assert metrics.reports_merged._value.get() == 1
    assert metrics.open_cases_indexed._value.get() == 1


async def test_the_states_changes_are_flushed_before_the_outcomes_are_published(running) -> None:
    agent, publisher, _ = running
    assert publisher.changelog is not None

    await put(agent, encode(make_report(), source="/gridloop/intake"))
    await publisher.wait_for(2)

    keys = [change.key[:2] for _, change in publisher.changelog.written]
    # the open case (a merge target), who holds it, then the report's outcome
    assert keys == [b"c:", b"h:", b"r:"]
    assert publisher.changelog.flushed_before_records[0] == 0  # flushed while nothing was published
