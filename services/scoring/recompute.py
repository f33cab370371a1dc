"""Recompute assessment results from the case-event topic read from the beginning.

    python -m services.scoring.recompute [--period 2026-11 ...] [--apply] [--as-of 2026-12-01T00:00:00Z]

Reads every event up to the topic's end (as it stands when the recompute starts), folds them into facts
exactly as the consumer does (``domain.replay``), counts every (subject, period) from scratch and compares
the periods asked for (all by default) with the stored results. Prints one JSON line: how many events,
duplicates, poison, results compared, and every difference. Exit status 0 when identical, 1 when not
(after ``--apply``: 0 once the stored state is the recomputed one).

``--apply`` makes the stored state the recomputed one in one transaction that holds the consumer off
(table locks): every fact, what each case adds to each result, and the inbox (so the consumer does not
fold again an event the recompute already has) — and the results of the periods asked for, re-assessed
and published (``AssessmentUpdated``, cause ``recompute``) where they changed. Both modes first run the
deadline sweep at ``--as-of`` (default now), as the service does every few seconds, so that both sides
stand at the same instant.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Counter

from services.scoring.bootstrap import MIGRATIONS, case_event_handler
from services.scoring.config import load_config
from services.scoring.domain import Key, Period, contributions, count, parse_period
from services.scoring.domain.counters import as_tuple, delta
from services.scoring.domain.replay import Fact, Replay
from services.scoring.handlers import CaseEventHandler
from services.scoring.ports import Clock, utc_now
from services.scoring.repository import Rebuild, Repository
from services.scoring.settings import ScoringSettings
from services.scoring.sweep import DeadlineSweep
from shared.db import create_pool, migrate
from shared.events import UndecodableEvent, decode
from shared.events.assessments import AssessmentCounters


@dataclass
class Outcome:
    events: int = 0
    duplicates: int = 0
    poison: int = 0
    undecodable: int = 0
    facts: int = 0
    compared: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)
    applied: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


async def read_topic(bootstrap: str, topic: str) -> AsyncIterator[ConsumerRecord]:
    """Every committed record of ``topic`` from the beginning to its end as of now, each partition in
    order. No consumer group: nothing is committed and nothing is taken from the running service."""
    # "earliest" as well as the seek: assigning partitions starts a reset of its own (to the policy's
    # end), which can land after an explicit seek and leave every position at the end.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await _partitions(bootstrap, topic)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            if await consumer.position(tp) != starts[tp]:
                raise RuntimeError(f"could not rewind {tp} to its beginning")
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=10000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    found = [p["partition"] for t in described if t["topic"] == topic for p in t["partitions"]]
    if not found:
        raise LookupError(f"topic {topic!r} not found")
    return sorted(found)


async def replay_topic(bootstrap: str, topic: str, replay: Replay, outcome: Outcome) -> None:
    async for record in read_topic(bootstrap, topic):
        try:
            envelope = decode(record.headers, record.value)
        except UndecodableEvent:
            outcome.undecodable += 1
            continue
        replay.add(envelope.source, envelope.id, envelope.data)


def differences(
    expected: dict[Key, AssessmentCounters], stored: dict[Key, AssessmentCounters], keys: set[Key]
) -> list[dict[str, Any]]:
    found = []
    for key in sorted(keys):
        want, have = expected.get(key), stored.get(key)
        if as_tuple(want or AssessmentCounters()) != as_tuple(have or AssessmentCounters()):
            found.append(
                {
                    "subject": str(key[0]),
                    "period": str(key[1]),
                    "recomputed": None if want is None else want.model_dump(),
                    "stored": None if have is None else have.model_dump(),
                }
            )
    return found


async def recompute(
    settings: ScoringSettings,
    *,
    periods: Sequence[Period] | None = None,
    apply: bool = False,
    as_of: datetime | None = None,
    clock: Clock = utc_now,
) -> Outcome:
    as_of = as_of or clock()
    config = load_config(settings)
    tz, rules = config.timezone, config.rules
    url = settings.database_url.get_secret_value()
    await migrate(url, migrations=MIGRATIONS, schema=settings.db_schema)
    pool = await create_pool(url, max_size=2)
    repository, rebuild = Repository(settings.db_schema), Rebuild(settings.db_schema)
    handler = case_event_handler(
        settings,
        config,
        clock=clock,
        results_updated=Counter("recomputed", "-", ["subject_type"], registry=CollectorRegistry()),
        analysis=False,
    )
    outcome = Outcome()
    wanted = None if periods is None else {str(p) for p in periods}
    try:
        await DeadlineSweep(pool=pool, repository=repository, handler=handler, interval_seconds=1).once(as_of)
        async with pool.acquire() as conn, conn.transaction():
            if apply:
                await rebuild.lock(conn)
            started = time.perf_counter()
            replay = Replay(rules, keep_ids=apply)
            await replay_topic(settings.kafka_bootstrap, settings.case_events_topic, replay, outcome)
            facts = list(replay.facts_as_of(as_of))
            outcome.seconds["read_and_fold"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            expected = {k: c for k, c in count(facts, tz).items() if wanted is None or str(k[1]) in wanted}
            outcome.seconds["count"] = round(time.perf_counter() - started, 3)
            outcome.events, outcome.duplicates = replay.events, replay.duplicates
            outcome.poison, outcome.facts = replay.poison, len(facts)
            stored = await rebuild.counters(conn, None if wanted is None else sorted(wanted))
            keys = set(expected) | set(stored)
            outcome.compared = len(keys)
            outcome.differences = differences(expected, stored, keys)
            if apply:
                await _apply(conn, rebuild, handler, replay, facts, tz, expected, stored, keys, as_of)
                outcome.applied = True
    finally:
        await pool.close()
    return outcome


async def _apply(
    conn: asyncpg.Connection,
    rebuild: Rebuild,
    handler: CaseEventHandler,
    replay: Replay,
    facts: list[Fact],
    tz: ZoneInfo,
    expected: dict[Key, AssessmentCounters],
    stored: dict[Key, AssessmentCounters],
    keys: set[Key],
    as_of: datetime,
) -> None:
    await rebuild.replace_facts(conn, facts)
    parts = [(fact.fact_id, key, c) for fact in facts for key, c in contributions(fact, tz).items()]
    await rebuild.replace_contributions(conn, parts)
    await rebuild.mark_seen(conn, replay.ids or [])
    moved = {key: d for key in keys if any(d := delta(stored.get(key), expected.get(key)))}
    if moved:
        await handler.move(conn, moved, cause=("recompute", as_of.isoformat()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.recompute", description=__doc__)
    parser.add_argument("--period", action="append", help="YYYY-MM, YYYY-Qn or YYYY; repeatable; default all")
    parser.add_argument("--apply", action="store_true", help="make the stored results the recomputed ones")
    parser.add_argument("--as-of", type=datetime.fromisoformat, help="the instant to count at (default now)")
    args = parser.parse_args(argv)
    periods = None if not args.period else [parse_period(p) for p in args.period]
    outcome = asyncio.run(recompute(ScoringSettings(), periods=periods, apply=args.apply, as_of=args.as_of))
    print(json.dumps(asdict(outcome), ensure_ascii=False))
    return 0 if outcome.applied or not outcome.differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
