"""The case stream's cost and speed, on the database alone (no HTTP):

- commits per second of case-opening transactions (a case row and its first timeline entry), eight
  at a time, with the stream's commit-time trigger and, as the baseline in the same run, without it
  (alternate passes, best of three each; the trigger copies the entry, takes the next position from
  a one-row counter, held until the commit ends, and notifies: this is what that costs);
- commit → reader latency: from sending COMMIT until a reader woken by LISTEN/NOTIFY has read the
  event (one commit every 20 ms).

    .venv/bin/python -m bench.stream [--database-url URL]    # alone: prints the figures
    make bench                                               # the same figures, among the others

Each run migrates a throwaway schema and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from services.handling import queries
from services.handling.bootstrap import MIGRATIONS
from services.handling.domain import Actor, open_case
from services.handling.domain.access import Viewer
from services.handling.listening import StreamListener
from services.handling.repository import CaseRepository
from shared.db import migrate
from shared.settings import DEV_DATABASE_URL
from tests.builders import case_opened

WRITERS = 8
CASES = 2000
PASSES = 3
LATENCY_SAMPLES = 300
LATENCY_RATE = 50.0
SYSTEM = Actor(id="bench", role="system")
EVERYONE = Viewer(person_id="bench", role="supervisor", unit_id="city", city_wide=True)


def a_case() -> Any:
    now = datetime.now(UTC)
    opened = case_opened(now=now, description="bench", app_id="bench")
    return open_case(opened, event_id=uuid.uuid4(), actor=SYSTEM, now=now)


async def commits_per_second(pool: asyncpg.Pool, schema: str, count: int) -> float:
    cases = [a_case() for _ in range(count)]

    async def writer(mine: list[Any]) -> None:
        async with pool.acquire() as conn:
            for case in mine:
                async with conn.transaction():
                    await CaseRepository(conn, schema).add(case)

    started = time.perf_counter()
    await asyncio.gather(*(writer(cases[i::WRITERS]) for i in range(WRITERS)))
    return count / (time.perf_counter() - started)


async def commit_to_reader_ms(pool: asyncpg.Pool, url: str, schema: str, samples: int) -> list[float]:
    listener = StreamListener(database_url=url, schema=schema)
    listening = asyncio.create_task(listener.run())
    committed: dict[uuid.UUID, float] = {}
    latencies: list[float] = []
    async with pool.acquire() as conn:
        after = await queries.stream_head(conn, schema)
    while not listener.listening:  # noqa: ASYNC110 - a bench, waiting once for the LISTEN to be up
        await asyncio.sleep(0.01)

    async def reader() -> None:
        nonlocal after
        while len(latencies) < samples:
            woken = listener.wakeup.waiter()
            async with pool.acquire() as conn:
                rows, after = await queries.stream_after(
                    conn, schema, viewer=EVERYONE, wanted=queries.CaseFilter(), after=after, limit=100
                )
            now = time.perf_counter()
            latencies.extend((now - committed[row["case_id"]]) * 1000 for row in rows)
            if not rows:
                await asyncio.wait_for(woken.wait(), 5)

    reading = asyncio.create_task(reader())
    async with pool.acquire() as conn:
        for _ in range(samples):
            case = a_case()
            async with conn.transaction():
                await CaseRepository(conn, schema).add(case)
                # From the moment COMMIT is sent: a reader may see the event before its ack comes back.
                committed[case.id] = time.perf_counter()
            await asyncio.sleep(1 / LATENCY_RATE)
    await reading
    listening.cancel()
    return latencies


async def measure(url: str, cases: int = CASES, latency_samples: int = LATENCY_SAMPLES) -> dict[str, float]:
    schema = f"bench_stream_{uuid.uuid4().hex[:8]}"
    await migrate(url, migrations=MIGRATIONS, schema=schema)
    pool = await asyncpg.create_pool(url, min_size=WRITERS, max_size=WRITERS + 2)
    try:
        latencies = sorted(await commit_to_reader_ms(pool, url, schema, latency_samples))
        # Alternate passes, best of each: the machine's load drifts between passes.
        with_stream = without_stream = 0.0
        for _ in range(PASSES):
            with_stream = max(with_stream, await commits_per_second(pool, schema, cases))
            async with pool.acquire() as conn:
                await conn.execute(
                    f'alter table "{schema}".case_timeline disable trigger case_timeline_to_stream'
                )
            without_stream = max(without_stream, await commits_per_second(pool, schema, cases))
            async with pool.acquire() as conn:
                await conn.execute(
                    f'alter table "{schema}".case_timeline enable trigger case_timeline_to_stream'
                )
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f'drop schema "{schema}" cascade')
        await pool.close()
    return {
        "commits_per_second_with_stream": with_stream,
        "commits_per_second_without_stream": without_stream,
        "commit_to_reader_p50_ms": statistics.median(latencies),
        "commit_to_reader_p99_ms": latencies[int(len(latencies) * 0.99) - 1],
    }


def stream_figures(
    figure: Any, url: str = DEV_DATABASE_URL, *, cases: int = CASES, latency_samples: int = LATENCY_SAMPLES
) -> list[Any]:
    """The figures as ``bench.__main__.Figure`` rows (``figure`` is that class)."""
    result = asyncio.run(measure(url, cases, latency_samples))
    return [
        figure(
            "handling_case_commits_per_second_with_stream",
            result["commits_per_second_with_stream"],
            "1/s",
            result["commits_per_second_without_stream"],
            "the same transactions without the stream trigger",
        ),
        figure("handling_stream_commit_to_reader_p50_ms", result["commit_to_reader_p50_ms"], "ms"),
        figure("handling_stream_commit_to_reader_p99_ms", result["commit_to_reader_p99_ms"], "ms"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stream", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEV_DATABASE_URL)
    args = parser.parse_args()
    result = asyncio.run(measure(args.database_url))
    Path(".bench").mkdir(exist_ok=True)
    Path(".bench/stream.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
