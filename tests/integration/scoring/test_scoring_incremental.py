"""The incremental path (one event at a time, deltas added to stored results) gives exactly the figures
a from-scratch count of the final facts gives, for every subject and period, on a random history."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from prometheus_client import CollectorRegistry, Counter

from services.scoring.bootstrap import MIGRATIONS
from services.scoring.config import load_rubric
from services.scoring.domain import Key, Subject, count, parse_period
from services.scoring.domain.counters import from_mapping
from services.scoring.domain.folding import CityRules
from services.scoring.handlers import CaseEventHandler
from services.scoring.publisher import Outbox
from services.scoring.repository import Repository, stored_result
from services.scoring.sweep import DeadlineSweep
from shared.db import migrate
from shared.events import decode, derived_id, encode
from shared.settings import REPO_ROOT
from tests.builders.histories import case_history, interleave, voided_report

SHANGHAI = ZoneInfo("Asia/Shanghai")
RUBRIC = load_rubric(REPO_ROOT / "city" / "rubric.yaml")


@pytest.fixture(scope="module")
async def pool(database_url: str, schema: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(database_url, migrations=MIGRATIONS, schema=schema)
    connections = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        yield connections
    finally:
        await connections.close()


def handler_for(schema: str) -> CaseEventHandler:
    return CaseEventHandler(
        repository=Repository(schema),
        outbox=Outbox(schema),
        timezone=SHANGHAI,
        rubric=RUBRIC,
        city=CityRules(service_minutes={"people.elderly_alone_help": 120}),
        results_updated=Counter("t", "t", ["subject_type"], registry=CollectorRegistry()),
    )


async def stored(conn: asyncpg.Connection, schema: str) -> dict[Key, asyncpg.Record]:
    rows = await conn.fetch(f'select * from "{schema}".assessment_results')
    return {(Subject(r["subject_type"], r["subject_id"]), parse_period(r["period"])): r for r in rows}


async def test_incremental_results_equal_a_count_from_scratch_before_and_after_the_deadline_sweep(
    pool, schema
):
    rng = random.Random(20261201)
    histories = [case_history(rng, n, schema) for n in range(150)]
    stream = interleave(rng, histories + [[voided_report(rng, n, schema)] for n in range(20)])
    handler, repository = handler_for(schema), Repository(schema)
    async with pool.acquire() as conn:
        for i, event in enumerate(stream):
            record = encode(event, source="/test", event_id=derived_id("e", schema, i))
            async with conn.transaction():
                await handler(conn, decode(record.headers, record.value))
        await _assert_equal_to_recount(conn, schema, repository)
        swept = await DeadlineSweep(
            pool=pool, repository=repository, handler=handler, interval_seconds=1
        ).once(datetime(2027, 3, 1, tzinfo=UTC))
        assert swept > 0  # left-open cases became overdue
        results = await _assert_equal_to_recount(conn, schema, repository)
    overdue = sum(
        r["overdue_not_handled"]
        for (s, p), r in results.items()
        if s.subject_type == "grid" and p.kind == "year"
    )
    assert overdue > 0


async def _assert_equal_to_recount(
    conn: asyncpg.Connection, schema: str, repository: Repository
) -> dict[Key, asyncpg.Record]:
    expected = count(await repository.all_facts(conn), SHANGHAI)
    results = await stored(conn, schema)
    assert {key: from_mapping(row) for key, row in results.items()} == expected
    assert sum(c.due_to_close for (s, p), c in expected.items() if s.subject_type == "grid_worker") > 200
    handler = handler_for(schema)
    for row in results.values():
        result = stored_result(row)
        assessment = handler.assessed(
            result.subject, parse_period(result.period), result.counters, result.computed_at
        )
        assert (result.indicators, result.score, result.grade, result.rubric_version) == (
            assessment.indicators,
            assessment.score,
            assessment.grade,
            RUBRIC.version,
        )
    return results
