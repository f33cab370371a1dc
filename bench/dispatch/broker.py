"""Rates through the broker: a backlog of reports produced first, then consumed by the raw aiokafka loop,
by faust passing them through (bench/faust_passthrough.py) or by `python -m services.dispatch`. Each run
uses topics of its own (a prefix) and deletes them afterwards; the rate is counted from the first output
to the last, so start-up and recovery are not in it."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench import children
from bench.__main__ import free_port
from shared.events import encode
from shared.events.reports import ReportSubmitted
from shared.kafka import ensure_topics, make_producer
from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS, REPORTS

OUTCOMES = frozenset(
    {b"gridloop.case.opened.v1", b"gridloop.case.report_merged.v1", b"gridloop.report.voided.v1"}
)


def bootstrap() -> str:
    return os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")


async def produce_backlog(kafka: str, topic: str, reports: list[ReportSubmitted]) -> None:
    producer = make_producer(kafka, client_id="bench-dispatch-backlog")
    await producer.start()
    try:
        pending = []
        for report in reports:
            record = encode(report, source="/gridloop/intake", event_id=report.report_id)
            pending.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_loop_rate(kafka: str, source: str, sink: str, count: int) -> float:
    """Consume the backlog and produce one record per message, acks awaited per batch, then commit."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=kafka,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = make_producer(kafka, client_id="bench-raw")
    await asyncio.gather(consumer.start(), producer.start())
    done, started = 0, None
    try:
        while done < count:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            messages = [m for batch in batches.values() for m in batch]
            if not messages:
                continue
            started = started or time.perf_counter()
            sends = [
                await producer.send(sink, m.value, key=m.key, headers=list(m.headers or ())) for m in messages
            ]
            await asyncio.gather(*sends)
            await consumer.commit()
            done += len(messages)
        assert started is not None
        return done / (time.perf_counter() - started)
    finally:
        await asyncio.gather(consumer.stop(), producer.stop())


async def count_outcomes(
    kafka: str, topic: str, count: int, within: float, types: frozenset[bytes] = OUTCOMES
) -> float:
    """Records of ``types`` per second on ``topic``, from the first to the ``count``-th."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen, first, last = 0, None, None
        deadline = time.monotonic() + within
        while seen < count and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
                for message in batch:
                    if dict(message.headers or ()).get("ce_type") in types:
                        seen += 1
                        first = first or time.perf_counter()
                        last = time.perf_counter()
        if seen < count or first is None or last is None or last == first:
            raise RuntimeError(f"dispatch produced {seen} of {count} outcomes within {within:.0f} s")
        return seen / (last - first)
    finally:
        await consumer.stop()


async def dispatch_rate(kafka: str, city_dir: Path, reports: list[ReportSubmitted], run_dir: Path) -> float:
    prefix = f"bench-dispatch-{uuid.uuid4().hex[:8]}."
    await ensure_topics(kafka, partitions=6, replication_factor=1, prefix=prefix)
    await produce_backlog(kafka, prefix + REPORTS.name, reports)
    env = children.service_env(
        {
            "GRIDLOOP_RUN_DIR": str(run_dir),
            "GRIDLOOP_CITY_DIR": str(city_dir),
            "GRIDLOOP_DISPATCH_TRIAGE_FILE": str(REPO_ROOT / "city" / "triage.yaml"),
            "GRIDLOOP_DISPATCH_KAFKA_BOOTSTRAP": kafka,
            "GRIDLOOP_DISPATCH_TOPIC_PREFIX": prefix,
            "GRIDLOOP_DISPATCH_GROUP_ID": f"bench-{prefix[:-1]}",
            "GRIDLOOP_DISPATCH_PORT": str(free_port()),
            "GRIDLOOP_DISPATCH_LOG_LEVEL": "WARNING",
        }
    )
    dispatch = await children.start(
        "python -m services.dispatch", ["-m", "services.dispatch"], env=env, log=run_dir / "dispatch.log"
    )
    try:
        outcomes = count_outcomes(kafka, prefix + CASE_EVENTS.name, len(reports), within=600)
        return await children.watching(outcomes, dispatch)
    finally:
        await dispatch.stop()
        await delete_topics(kafka, prefix)


async def faust_floor_rate(kafka: str, reports: list[ReportSubmitted], run_dir: Path) -> float:
    """bench.faust_passthrough over the same backlog: faust with dispatch's batching, no work."""
    prefix = f"bench-floor-{uuid.uuid4().hex[:8]}."
    await ensure_topics(kafka, partitions=6, replication_factor=1, prefix=prefix)
    await produce_backlog(kafka, prefix + REPORTS.name, reports)
    args = [kafka, prefix + REPORTS.name, prefix + CASE_EVENTS.name, f"bench-{prefix[:-1]}", str(run_dir)]
    floor = await children.start(
        "python -m bench.faust_passthrough",
        ["-m", "bench.faust_passthrough", *args],
        log=run_dir / "floor.log",
    )
    try:
        submitted = frozenset({ReportSubmitted.event_type.encode()})
        outcomes = count_outcomes(kafka, prefix + CASE_EVENTS.name, len(reports), 600, submitted)
        return await children.watching(outcomes, floor)
    finally:
        await floor.stop()
        await delete_topics(kafka, prefix)


async def delete_topics(kafka: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="bench-dispatch-cleanup")
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix) or prefix[:-1] in name]
        await admin.delete_topics(names)
    finally:
        await admin.close()
