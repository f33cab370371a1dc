"""A scoring process SIGKILLed mid-stream and restarted ends with exactly the figures of a run that was
never interrupted over the same case events: every result, every indicator, every case behind them."""

from __future__ import annotations

import asyncio
import random
import signal
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.events import derived_id, encode
from tests.builders.histories import case_history, interleave, voided_report
from tests.integration.scoring.conftest import TEST_SOURCE, until, until_equal
from tests.integration.scoring.process import inbox_count, scoring_env, start_scoring

CASES = 500


async def produce(kafka: str, topic: str, salt: str) -> int:
    rng = random.Random(4242)
    stream = interleave(
        rng,
        [case_history(rng, n, salt) for n in range(CASES)]
        + [[voided_report(rng, n, salt)] for n in range(40)],
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True, linger_ms=20)
    await producer.start()
    try:
        sends = []
        for i, event in enumerate(stream):
            record = encode(event, source=TEST_SOURCE, event_id=derived_id("sigkill", salt, i))
            sends.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    return len(stream)


async def snapshot(
    conn: asyncpg.Connection, schema: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    results = await conn.fetch(f'select * from "{schema}".assessment_results order by 1, 2, 3')
    parts = await conn.fetch(f'select * from "{schema}".case_contributions order by 1, 2, 3, 4')
    drop = {"computed_at"}
    return (
        [tuple(v for k, v in row.items() if k not in drop) for row in results],
        [tuple(row.values()) for row in parts],
    )


async def test_a_run_sigkilled_mid_stream_ends_with_the_numbers_of_an_uninterrupted_run(
    kafka_bootstrap: str, database_url: str, case_topic: str, unique: str, tmp_path: Path
) -> None:
    distinct = await produce(kafka_bootstrap, case_topic, unique)
    killed, calm = f"scoring_k{unique}", f"scoring_c{unique}"
    conn = await asyncpg.connect(database_url)
    processes: list[asyncio.subprocess.Process] = []
    try:

        async def run(schema: str) -> asyncio.subprocess.Process:
            env = scoring_env(
                kafka=kafka_bootstrap, database_url=database_url, schema=schema, topic=case_topic
            )
            process = await start_scoring(env, tmp_path / f"{schema}.log")
            processes.append(process)
            return process

        first = await run(killed)
        await run(calm)
        await until(
            lambda: _at_least(conn, killed, distinct // 3), within=300, what="a third of the stream to be in"
        )
        first.send_signal(signal.SIGKILL)
        await first.wait()
        taken_when_killed = await inbox_count(conn, killed)
        assert taken_when_killed < distinct, "killed too late to be mid-stream"
        await run(killed)

        for schema in (killed, calm):
            await until_equal(
                partial(inbox_count, conn, schema),
                distinct,
                within=600,
                what=f"{schema} to take in every event",
            )
        interrupted, uninterrupted = await snapshot(conn, killed), await snapshot(conn, calm)
        assert len(uninterrupted[0]) > 100
        assert interrupted == uninterrupted
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
                await process.wait()
        for schema in (killed, calm):
            await conn.execute(f'drop schema if exists "{schema}" cascade')
        await conn.close()


async def _at_least(conn: asyncpg.Connection, schema: str, n: int) -> bool:
    return await inbox_count(conn, schema) >= n
