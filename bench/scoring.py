"""Scoring at scale, against the broker and database `make up` runs:

- case events per second through `python -m services.scoring` (its consumer, facts, results, outbox), with
  the re-assessment batched per consumed batch and, in the same run, once per event as before batching;
  against a raw aiokafka consume-and-commit of the same topic; and the CPU each event costs either way;
- the time a recompute takes to read, fold and count 1,000,000 case events from the topic.

    .venv/bin/python -m bench.scoring              # alone: prints the figures, writes .bench/scoring.json
    make bench                                     # the same figures, among the others

The broker is GRIDLOOP_KAFKA_BOOTSTRAP (else 127.0.0.1:$KAFKA_PORT, else :9092), the database DATABASE_URL
(else the dev cluster); each run uses topics and a schema of its own and deletes them afterwards. The
backlog is produced first; a rate counts from the first event taken into the inbox to the last.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench import children
from bench.__main__ import Figure, write_results
from services.scoring.config import load_vanguard, rules_for
from services.scoring.domain import count
from services.scoring.domain.replay import Replay
from services.scoring.recompute import Outcome, replay_topic
from shared.city import load_city
from shared.events import Event, derived_id, encode
from shared.kafka import ensure_topics, make_producer
from shared.settings import DEV_DATABASE_URL, REPO_ROOT
from tests.builders.histories import case_history, voided_report
from tests.integration.scoring.process import inbox_count, scoring_env

RESULTS = Path(".bench/scoring.json")
AS_OF = datetime(2027, 3, 1, tzinfo=UTC)


def bootstrap() -> str:
    return os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")


def database_url() -> str:
    return (
        os.environ.get("GRIDLOOP_SCORING_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEV_DATABASE_URL
    )


def history(events: int, salt: str, seed: int = 5) -> Iterator[Event]:
    """Generated case histories (tests/integration/scoring/history.py) and voided reports, ``events`` long."""
    rng, n, made = random.Random(seed), 0, 0
    while made < events:
        batch = case_history(rng, n, salt) if n % 20 else [voided_report(rng, n, salt)]
        for event in batch[: events - made]:
            yield event
            made += 1
        n += 1


async def make_topic(kafka: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name=name, num_partitions=6, replication_factor=1)])
    finally:
        await admin.close()


async def delete_topic(kafka: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        await admin.delete_topics([name])
    except Exception as exc:  # a bench leaves the broker as it found it where it can
        print(f"warning: could not delete {name}: {exc}", file=sys.stderr)
    finally:
        await admin.close()


async def produce(kafka: str, topic: str, events: int, salt: str) -> None:
    producer = make_producer(kafka, client_id="bench-scoring-backlog", linger_ms=50)
    await producer.start()
    try:
        pending = []
        for i, event in enumerate(history(events, salt)):
            record = encode(event, source="/bench/history", event_id=derived_id("bench", salt, i), time=AS_OF)
            pending.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_consume_rate(kafka: str, topic: str, events: int) -> float:
    """Consume the backlog in batches and commit after each: the floor any consumer pays."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    done, started = 0, None
    try:
        while done < events:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            taken = sum(len(batch) for batch in batches.values())
            if not taken:
                continue
            started = started or time.perf_counter()
            await consumer.commit()
            done += taken
        assert started is not None
        return done / (time.perf_counter() - started)
    finally:
        await consumer.stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scoring_child_env(kafka: str, url: str, schema: str, topic: str, *, batched: bool) -> dict[str, str]:
    """The environment of the bench's own scoring: the test's (tests/integration/scoring/process.py), run
    beside the stack, on the stack's database."""
    return children.service_env(
        scoring_env(kafka=kafka, database_url=url, schema=schema, topic=topic, batched=batched)
    )


async def taken_in(conn: asyncpg.Connection, schema: str, events: int, pid: int) -> tuple[float, float]:
    """Once the scoring of ``schema`` (process ``pid``) has taken ``events`` in: events per second and CPU
    milliseconds per event, from the first event taken in."""
    first: tuple[float, float] | None = None
    deadline = time.monotonic() + 1800
    taken = 0
    while taken < events and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        taken = await inbox_count(conn, schema)
        if taken and first is None:
            first = (time.perf_counter(), cpu_seconds(pid))
    if first is None or taken < events:
        raise RuntimeError(f"scoring took {taken} of {events} events in")
    elapsed, cpu = time.perf_counter() - first[0], cpu_seconds(pid) - first[1]
    return events / elapsed, cpu * 1000 / events


async def scoring_rate(
    kafka: str, topic: str, events: int, *, batched: bool, run_dir: Path
) -> tuple[float, float]:
    """Events per second through a scoring process of its own, and its CPU milliseconds per event."""
    schema = f"bench_scoring_{uuid.uuid4().hex[:8]}"
    url = database_url()
    scoring = await children.start(
        "python -m services.scoring",
        ["-m", "services.scoring"],
        env=scoring_child_env(kafka, url, schema, topic, batched=batched),
        log=run_dir / f"scoring-{schema}.log",
    )
    conn = await asyncpg.connect(url)
    try:
        return await children.watching(taken_in(conn, schema, events, scoring.process.pid), scoring)
    finally:
        await scoring.stop()
        await conn.execute(f'drop schema if exists "{schema}" cascade')
        await conn.close()


async def recompute_seconds(kafka: str, topic: str, events: int) -> tuple[float, int]:
    """Read, fold and count the whole topic as `python -m services.scoring.recompute` does; the seconds
    and the number of (subject, period) results counted."""
    city = load_city(REPO_ROOT / "city")
    rules = rules_for(city, load_vanguard(REPO_ROOT / "city" / "vanguard.yaml"))
    started = time.perf_counter()
    replay, outcome = Replay(rules), Outcome()
    await replay_topic(kafka, topic, replay, outcome)
    results = count(replay.facts_as_of(AS_OF), ZoneInfo(city.timezone))
    seconds = time.perf_counter() - started
    if replay.events != events:
        raise RuntimeError(f"the recompute read {replay.events:,} events of {events:,}")
    return seconds, len(results)


async def measure(events: int, recompute_events: int) -> list[Figure]:
    kafka = bootstrap()
    salt = uuid.uuid4().hex[:8]
    topic = f"bench-scoring-{salt}.case-events"
    await ensure_topics(kafka, partitions=6, replication_factor=1)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        await make_topic(kafka, topic)
        try:
            print(f"scoring: producing {events:,} case events …", file=sys.stderr)
            await produce(kafka, topic, events, salt)
            raw = await raw_consume_rate(kafka, topic, events)
            print("scoring: consuming them, re-assessed per batch, then per event …", file=sys.stderr)
            batched, batched_cpu = await scoring_rate(kafka, topic, events, batched=True, run_dir=Path(tmp))
            single, single_cpu = await scoring_rate(kafka, topic, events, batched=False, run_dir=Path(tmp))
        finally:
            await delete_topic(kafka, topic)
    figures += [
        Figure(
            "scoring_case_events_per_second", batched, "1/s", raw, "raw_aiokafka_consume_commit_per_second"
        ),
        Figure(
            "scoring_case_events_per_second_batched_vs_per_event",
            batched,
            "1/s",
            single,
            "scoring_case_events_per_second_reassessed_per_event",
        ),
        Figure(
            "scoring_cpu_ms_per_case_event",
            batched_cpu,
            "ms",
            single_cpu,
            "scoring_cpu_ms_per_event_per_event",
        ),
    ]
    if recompute_events:
        big = f"bench-scoring-{salt}.recompute"
        await make_topic(kafka, big)
        try:
            print(f"scoring: producing {recompute_events:,} case events for the recompute …", file=sys.stderr)
            await produce(kafka, big, recompute_events, salt + "-big")
            seconds, results = await recompute_seconds(kafka, big, recompute_events)
        finally:
            await delete_topic(kafka, big)
        figures.append(Figure(f"scoring_recompute_seconds_{recompute_events}_case_events", seconds, "s"))
        figures.append(Figure("scoring_recompute_results_counted", results, "1"))
    return figures


def scoring_figures(*, events: int = 5_000, recompute_events: int = 1_000_000) -> list[Figure]:
    """The figures, for `make bench` (bench/__main__.py) and for running alone."""
    return asyncio.run(measure(events, recompute_events))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5_000, help="case events for the throughput figures")
    parser.add_argument("--recompute-events", type=int, default=1_000_000, help="0 skips the recompute")
    args = parser.parse_args(argv)
    figures = scoring_figures(events=args.events, recompute_events=args.recompute_events)
    write_results(figures, RESULTS)


if __name__ == "__main__":
    main()
