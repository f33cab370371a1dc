"""Two dispatch workers in one consumer group, one killed with SIGKILL mid-stream: the other takes its
partitions over, rebuilds their open-case index from the changelog, and every report still ends in exactly
one case or merge — none lost, none twice (a redelivered report yields the very same event, never a second
outcome)."""

from __future__ import annotations

import asyncio
import random
import signal
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from shared.city import load_city
from shared.events import encode
from shared.events.cases import CaseOpened
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.events.triage import ReportMergedIntoCase, ReportVoided
from shared.kafka import ensure_topics
from shared.settings import REPO_ROOT
from shared.topics import ALL_TOPICS, CASE_EVENTS
from tests.builders import report_submitted
from tests.integration.dispatch.conftest import DispatchProcess, delete_topics

CITY = load_city(REPO_ROOT / "city")
REPORTS = 3000
SPOTS = 240


@pytest.fixture
async def pair(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[DispatchProcess, DispatchProcess]]:
    run = uuid.uuid4().hex[:8]
    prefix = f"test-dispatch-pair-{run}."
    await ensure_topics(kafka_bootstrap, partitions=6, replication_factor=1, prefix=prefix)
    workers = tuple(
        DispatchProcess(
            bootstrap=kafka_bootstrap,
            group_id=f"gridloop-dispatch-pair-{run}",
            topic_prefix=prefix,
            run_dir=tmp_path_factory.mktemp(f"dispatch-{name}"),
        )
        for name in ("a", "b")
    )
    await asyncio.gather(*(worker.start() for worker in workers))
    yield workers[0], workers[1]
    for worker in workers:
        if worker.running:
            await worker.stop()
    await delete_topics(kafka_bootstrap, [prefix + topic.name for topic in ALL_TOPICS])


def reports() -> list[ReportSubmitted]:
    """Reports at a few hundred spots, many spots reported several times, half in a merging category.

    Each spot has a partition key of its own (as its H3 cell would be), so the spots spread over every
    partition and so over both workers; a spot's duplicates share its key and so its partition.
    """
    rng = random.Random(7)
    grids = CITY.grids
    now = datetime.now(UTC)
    spots = []
    for index in range(SPOTS):
        inside = grids[index % len(grids)].polygon.representative_point()
        where = GeoPoint(lon=inside.x + rng.uniform(-1e-3, 1e-3), lat=inside.y + rng.uniform(-1e-3, 1e-3))
        spots.append(
            (
                where,
                f"spot-{index}",
                rng.choice(["city_appearance.garbage_overflow", "dispute.neighbour_noise"]),
            )
        )
    made = []
    for n in range(REPORTS):
        where, cell, category = rng.choice(spots)
        made.append(
            report_submitted(
                reporter_id=f"resident-{n}",
                category=category,
                location=where,
                occurred_at=now - timedelta(minutes=5),
                submitted_at=now + timedelta(milliseconds=n),
                cell=cell,
            )
        )
    return made


async def test_every_report_ends_in_exactly_one_case_or_merge_when_a_worker_is_killed(
    pair: tuple[DispatchProcess, DispatchProcess],
    producer: AIOKafkaProducer,
    tail: Any,
) -> None:
    victim, survivor = pair
    cases = await tail(victim.topic(CASE_EVENTS.name))
    sent = reports()
    ours = {r.report_id for r in sent}
    outcomes: dict[uuid.UUID, set[tuple[str, uuid.UUID]]] = defaultdict(set)

    def outcome(envelope: Any) -> bool:
        data = envelope.data
        if isinstance(data, CaseOpened | ReportMergedIntoCase):
            if data.report_id in ours:
                outcomes[data.report_id].add((envelope.type, data.case_id))
        elif isinstance(data, ReportVoided) and data.report_id in ours:
            outcomes[data.report_id].add((envelope.type, data.report_id))
        return False

    deliveries = []
    for submitted in sent:
        record = encode(submitted, source="/gridloop/intake")
        topic = victim.topic(record.topic)
        deliveries.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
    await asyncio.gather(*deliveries)
    while len(outcomes) < REPORTS // 10:
        await cases.collect(outcome, count=1, within=0.5)
    await victim.stop(signal.SIGKILL)
    assert len(outcomes) < REPORTS, "the kill came too late to land mid-stream"

    deadline = asyncio.get_running_loop().time() + 120
    while len(outcomes) < REPORTS and asyncio.get_running_loop().time() < deadline:
        await cases.collect(outcome, count=1, within=1)
    await cases.collect(outcome, count=1, within=3)  # and anything a redelivery would add

    lost = ours - set(outcomes)
    assert not lost, f"{len(lost)} reports lost; the survivor's log ends:\n{survivor.log_tail(60)}"
    twice = {report_id: found for report_id, found in outcomes.items() if len(found) != 1}
    assert not twice, f"reports with more than one outcome: {list(twice.items())[:3]}"
    opened = {case_id for found in outcomes.values() for kind, case_id in found if kind.endswith("opened.v1")}
    merged = [case_id for found in outcomes.values() for kind, case_id in found if kind.endswith("merged.v1")]
    assert merged, "the stream had duplicates, so some reports must have merged"
    assert set(merged) <= opened
    assert survivor.running
