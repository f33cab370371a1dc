"""The counting SQL says what the domain's closure rules say, on many random cases and every month."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.scoring.domain import CaseFact, Period, Subject, count, subjects_of
from services.scoring.main import MIGRATIONS
from services.scoring.repository import Repository
from shared.db import migrate

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKERS = ("w-1", "w-2", "w-3")
GRIDS = ("g-1", "g-2")


# Month starts on Shanghai's wall clock, and a second either side: where the period rules bite.
EDGES = [
    month.bounds(SHANGHAI)[0] + timedelta(seconds=shift)
    for month in (Period(2026, 11), Period(2026, 12), Period(2027, 1))
    for shift in (-1, 0, 1)
]


def random_instant(rng: random.Random, around: datetime) -> datetime:
    if rng.random() < 0.25:
        return rng.choice(EDGES)
    return around + timedelta(hours=rng.randrange(-24 * 12, 24 * 12))


def random_fact(rng: random.Random) -> CaseFact:
    # On the hour from a Shanghai midnight, or right on a month edge; closed at the deadline or around it.
    start = datetime(2026, 10, 25, 16, tzinfo=UTC)
    close_by = start + timedelta(hours=rng.randrange(0, 24 * 70))
    if rng.random() < 0.25:
        close_by = rng.choice(EDGES)
    closed_at = None if rng.random() < 0.3 else rng.choice([close_by, random_instant(rng, close_by)])
    role = rng.choice(["grid_worker", "grid_worker", None, "department_handler"])
    return CaseFact(
        case_id=uuid4(),
        holder_id=rng.choice([*WORKERS, None]),
        holder_role=role,
        grid_id=rng.choice([*GRIDS, None]),
        close_by=close_by,
        closed_at=closed_at,
    )


@pytest.fixture(scope="module")
async def conn(database_url: str, schema: str) -> AsyncIterator[asyncpg.Connection]:
    await migrate(database_url, migrations=MIGRATIONS, schema=schema)
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


async def test_sql_counters_equal_the_domain_counters_for_every_subject_and_month(conn, schema):
    rng = random.Random(20261127)
    facts = [random_fact(rng) for _ in range(400)]
    repository = Repository(schema)
    async with conn.transaction():
        for fact in facts:
            await repository.save_fact(conn, fact, subjects_of(fact))
    subjects = [Subject("grid_worker", w) for w in WORKERS] + [Subject("grid", g) for g in GRIDS]
    months = [Period(2026, 10), Period(2026, 11), Period(2026, 12), Period(2027, 1)]
    compared = 0
    for subject in subjects:
        theirs = [fact for fact in facts if subject in subjects_of(fact)]
        for month in months:
            in_sql = await repository.count(conn, subject, month, month.bounds(SHANGHAI))
            assert in_sql == count(theirs, month, SHANGHAI), f"{subject} {month}"
            compared += in_sql.due_to_close
    assert compared > 300  # the comparison covered real numbers, not a sea of zeros


async def test_saving_a_fact_again_replaces_who_it_counts_for(conn, schema):
    repository = Repository(schema)
    fact = CaseFact(
        case_id=uuid4(),
        holder_id="w-move",
        holder_role="grid_worker",
        grid_id="g-move",
        close_by=datetime(2026, 11, 20, tzinfo=UTC),
    )
    november = Period(2026, 11)
    async with conn.transaction():
        await repository.save_fact(conn, fact, subjects_of(fact))
        moved = CaseFact(**{**fact.__dict__, "holder_id": "w-other"})
        await repository.save_fact(conn, moved, subjects_of(moved))
    old = await repository.count(conn, Subject("grid_worker", "w-move"), november, november.bounds(SHANGHAI))
    new = await repository.count(conn, Subject("grid_worker", "w-other"), november, november.bounds(SHANGHAI))
    assert (old.due_to_close, new.due_to_close) == (0, 1)
