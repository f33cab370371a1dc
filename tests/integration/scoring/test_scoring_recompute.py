"""A recompute from the case-event topic read from the beginning gives exactly the results the incremental
consumer stored, on a large generated history (duplicates, merges, voided reports, poison among them); and
``--apply`` restores results, facts and the cases behind them after they were damaged."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from services.scoring.domain import parse_period
from services.scoring.recompute import recompute
from services.scoring.settings import ScoringSettings
from shared.events import derived_id, encode
from tests.builders import case_accepted
from tests.builders.histories import START, case_history, interleave, voided_report
from tests.integration.scoring.conftest import TEST_SOURCE, running, settings_for, until_equal

CASES = 600
AS_OF = datetime(2027, 3, 1, tzinfo=UTC)


async def produce(bootstrap: str, topic: str, salt: str) -> int:
    """The history on the topic, one event in twenty sent twice, and two poison events; returns how many
    distinct events the consumer should take into its inbox."""
    rng = random.Random(20261127)
    histories = [case_history(rng, n, salt) for n in range(CASES)]
    stream = interleave(rng, histories + [[voided_report(rng, n, salt)] for n in range(60)])
    never_opened = [
        case_accepted(
            now=START,
            case_id=derived_id("never-opened", salt, i),
            actor_id="w-1",
            holder_id="w-1",
            close_by=START,
        )
        for i in range(2)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=20)
    await producer.start()
    try:
        sends = []
        for i, event in enumerate([*stream, *never_opened]):
            record = encode(event, source=TEST_SOURCE, event_id=derived_id("recompute", salt, i))
            for _ in range(2 if i % 20 == 0 else 1):
                sends.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    return len(stream)


@pytest.fixture(scope="module")
async def consumed(kafka_bootstrap, database_url, schema, case_topic, unique):
    """The history produced and consumed by the service (incrementally, event by event); its settings."""
    settings = settings_for(
        bootstrap=kafka_bootstrap, database_url=database_url, schema=schema, topic=case_topic, unique=unique
    )
    distinct = await produce(kafka_bootstrap, case_topic, unique)
    async with running(settings) as service:
        await service.wait_ready()
        conn = await asyncpg.connect(database_url)
        try:

            async def inbox() -> int:
                return int(await conn.fetchval(f'select count(*) from "{schema}".inbox'))

            await until_equal(inbox, distinct, within=600, what="the consumer to take in every event")
        finally:
            await conn.close()
    return settings


async def cli(settings: ScoringSettings, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m services.scoring.recompute`` as an operator runs it, configured by the environment."""
    env = os.environ | {
        "GRIDLOOP_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "GRIDLOOP_SCORING_DATABASE_URL": settings.database_url.get_secret_value(),
        "GRIDLOOP_SCORING_DB_SCHEMA": settings.db_schema,
        "GRIDLOOP_SCORING_CASE_EVENTS_TOPIC": settings.case_events_topic,
    }
    command = [sys.executable, "-m", "services.scoring.recompute", "--as-of", AS_OF.isoformat(), *args]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)


async def test_a_recompute_from_the_topic_equals_the_incremental_results_for_every_period(consumed):
    outcome = await recompute(consumed, as_of=AS_OF)

    assert outcome.differences == []
    assert outcome.poison == 2
    assert outcome.duplicates > CASES // 3
    assert outcome.compared > 100


async def test_one_period_recomputed_alone_equals_its_stored_results(consumed):
    outcome = await recompute(consumed, periods=[parse_period("2026-11")], as_of=AS_OF)

    assert outcome.differences == []
    assert 15 < outcome.compared < 100


async def test_apply_restores_damaged_results_and_the_cases_behind_them(consumed, database_url):
    s = f'"{consumed.db_schema}"'
    conn = await asyncpg.connect(database_url)
    try:
        before = await conn.fetch(f"select * from {s}.assessment_results order by 1, 2, 3")
        await conn.execute(
            f"""update {s}.assessment_results set due_to_close = due_to_close + 3
                where subject_type = 'grid' and period = '2026-12'"""
        )
        await conn.execute(f"delete from {s}.assessment_results where subject_type = 'reporter'")
        await conn.execute(f"delete from {s}.case_contributions where period = '2026-11'")

        damaged = await recompute(consumed, as_of=AS_OF)
        assert len(damaged.differences) > 10
        checked = await cli(consumed, "--period", "2026-12")
        assert checked.returncode == 1, checked.stderr
        assert {d["subject"].split(":")[0] for d in json.loads(checked.stdout)["differences"]} == {
            "grid",
            "reporter",
        }

        applied = await recompute(consumed, apply=True, as_of=AS_OF)
        assert applied.applied
        after = await conn.fetch(f"select * from {s}.assessment_results order by 1, 2, 3")
        columns = [c for c in before[0].keys() if c != "computed_at"]  # noqa: SIM118 (a Record iterates values)
        assert [[row[c] for c in columns] for row in after] == [[row[c] for c in columns] for row in before]
        assert (await recompute(consumed, as_of=AS_OF)).differences == []
        assert (await cli(consumed)).returncode == 0
        assert await conn.fetchval(f"select count(*) from {s}.case_contributions where period = '2026-11'")
    finally:
        await conn.close()
