"""Scoring's SQL: case facts, who each case counts for, and the assessment results.

Functions take the caller's connection and never commit: the consumer's transaction (inbox row, facts,
results, outbox) commits or rolls back as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from services.scoring.domain import CaseFact, Period, Subject
from shared.events.assessments import ClosureCounters, SubjectType


@dataclass(frozen=True)
class StoredResult:
    subject: Subject
    period: str
    counters: ClosureCounters
    closure_rate: str | None
    on_time_closure_rate: str | None
    rubric_version: str
    computed_at: datetime


@dataclass(frozen=True)
class CasesBehind:
    """The case ids behind each counter of one result, for drill-down."""

    due_to_close: list[UUID]
    closed: list[UUID]
    closed_on_time: list[UUID]


class Repository:
    def __init__(self, schema: str) -> None:
        self._s = f'"{schema}"'

    # --- case facts --------------------------------------------------------------------------------

    async def load_fact(self, conn: asyncpg.Connection, case_id: UUID) -> CaseFact | None:
        row = await conn.fetchrow(
            f"""select case_id, holder_id, holder_role, grid_id, close_by, closed_at
                from {self._s}.case_facts where case_id = $1 for update""",
            case_id,
        )
        return None if row is None else CaseFact(**dict(row))

    async def save_fact(self, conn: asyncpg.Connection, fact: CaseFact, subjects: frozenset[Subject]) -> None:
        await conn.execute(
            f"""insert into {self._s}.case_facts
                    (case_id, holder_id, holder_role, grid_id, close_by, closed_at, updated_at)
                values ($1, $2, $3, $4, $5, $6, now())
                on conflict (case_id) do update set
                    holder_id = excluded.holder_id, holder_role = excluded.holder_role,
                    grid_id = excluded.grid_id, close_by = excluded.close_by,
                    closed_at = excluded.closed_at, updated_at = now()""",
            fact.case_id,
            fact.holder_id,
            fact.holder_role,
            fact.grid_id,
            fact.close_by,
            fact.closed_at,
        )
        await conn.execute(f"delete from {self._s}.case_subjects where case_id = $1", fact.case_id)
        await conn.executemany(
            f"insert into {self._s}.case_subjects (case_id, subject_type, subject_id) values ($1, $2, $3)",
            [(fact.case_id, s.subject_type, s.subject_id) for s in sorted(subjects)],
        )

    # --- counting ----------------------------------------------------------------------------------

    async def lock_results(self, conn: asyncpg.Connection, keys: list[tuple[Subject, Period]]) -> None:
        """Serialise recomputation of the same results across instances until the transaction ends.

        Two instances may apply events of two cases of the same worker at once; without the lock each
        would count without the other's case and the later commit would lose one. Keys are locked in
        one sorted order so that two transactions never wait for each other in a cycle.
        """
        names = sorted({f"assessment:{subject}:{period}" for subject, period in keys})
        for name in names:
            await conn.execute("select pg_advisory_xact_lock(hashtextextended($1, 0))", name)

    async def count(
        self, conn: asyncpg.Connection, subject: Subject, period: Period, bounds: tuple[datetime, datetime]
    ) -> ClosureCounters:
        """The closure counters of a subject's period (rules in ``domain.closure``, stated here in SQL):
        due to close where the deadline or the closing falls in the period, closed where the closing
        does, on time when the closing was no later than the deadline."""
        row = await conn.fetchrow(
            f"""select count(*) as due_to_close,
                       count(*) filter (where f.closed_at >= $3 and f.closed_at < $4) as closed,
                       count(*) filter (where f.closed_at >= $3 and f.closed_at < $4
                                          and f.closed_at <= f.close_by) as closed_on_time
                from {self._s}.case_subjects s join {self._s}.case_facts f using (case_id)
                where s.subject_type = $1 and s.subject_id = $2
                  and ((f.close_by >= $3 and f.close_by < $4) or (f.closed_at >= $3 and f.closed_at < $4))""",
            subject.subject_type,
            subject.subject_id,
            *bounds,
        )
        assert row is not None
        return ClosureCounters(**dict(row))

    async def cases_behind(
        self, conn: asyncpg.Connection, subject: Subject, bounds: tuple[datetime, datetime]
    ) -> CasesBehind:
        rows = await conn.fetch(
            f"""select f.case_id,
                       coalesce(f.closed_at >= $3 and f.closed_at < $4, false) as closed,
                       coalesce(f.closed_at >= $3 and f.closed_at < $4
                                and f.closed_at <= f.close_by, false) as on_time
                from {self._s}.case_subjects s join {self._s}.case_facts f using (case_id)
                where s.subject_type = $1 and s.subject_id = $2
                  and ((f.close_by >= $3 and f.close_by < $4) or (f.closed_at >= $3 and f.closed_at < $4))
                order by f.case_id""",
            subject.subject_type,
            subject.subject_id,
            *bounds,
        )
        return CasesBehind(
            due_to_close=[row["case_id"] for row in rows],
            closed=[row["case_id"] for row in rows if row["closed"]],
            closed_on_time=[row["case_id"] for row in rows if row["on_time"]],
        )

    # --- results -----------------------------------------------------------------------------------

    async def load_result(
        self, conn: asyncpg.Connection, subject: Subject, period: Period
    ) -> StoredResult | None:
        row = await conn.fetchrow(
            f"""select * from {self._s}.assessment_results
                where subject_type = $1 and subject_id = $2 and period = $3""",
            subject.subject_type,
            subject.subject_id,
            str(period),
        )
        return None if row is None else _result(row)

    async def save_result(self, conn: asyncpg.Connection, result: StoredResult) -> None:
        await conn.execute(
            f"""insert into {self._s}.assessment_results
                    (subject_type, subject_id, period, due_to_close, closed, closed_on_time,
                     closure_rate, on_time_closure_rate, rubric_version, computed_at)
                values ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9, $10)
                on conflict (subject_type, subject_id, period) do update set
                    due_to_close = excluded.due_to_close, closed = excluded.closed,
                    closed_on_time = excluded.closed_on_time, closure_rate = excluded.closure_rate,
                    on_time_closure_rate = excluded.on_time_closure_rate,
                    rubric_version = excluded.rubric_version, computed_at = excluded.computed_at""",
            result.subject.subject_type,
            result.subject.subject_id,
            result.period,
            result.counters.due_to_close,
            result.counters.closed,
            result.counters.closed_on_time,
            result.closure_rate,
            result.on_time_closure_rate,
            result.rubric_version,
            result.computed_at,
        )

    async def delete_result(self, conn: asyncpg.Connection, subject: Subject, period: Period) -> None:
        await conn.execute(
            f"""delete from {self._s}.assessment_results
                where subject_type = $1 and subject_id = $2 and period = $3""",
            subject.subject_type,
            subject.subject_id,
            str(period),
        )

    async def ranking(
        self, conn: asyncpg.Connection, *, period: Period, subject_type: SubjectType, limit: int, offset: int
    ) -> tuple[int, list[StoredResult]]:
        total = await conn.fetchval(
            f"select count(*) from {self._s}.assessment_results where period = $1 and subject_type = $2",
            str(period),
            subject_type,
        )
        rows = await conn.fetch(
            f"""select * from {self._s}.assessment_results
                where period = $1 and subject_type = $2
                order by on_time_closure_rate desc nulls last, subject_id
                limit $3 offset $4""",
            str(period),
            subject_type,
            limit,
            offset,
        )
        return int(total), [_result(row) for row in rows]

    async def periods(self, conn: asyncpg.Connection) -> list[str]:
        rows = await conn.fetch(
            f"select distinct period from {self._s}.assessment_results order by period desc"
        )
        return [row["period"] for row in rows]


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _result(row: asyncpg.Record) -> StoredResult:
    return StoredResult(
        subject=Subject(row["subject_type"], row["subject_id"]),
        period=row["period"],
        counters=ClosureCounters(
            due_to_close=row["due_to_close"], closed=row["closed"], closed_on_time=row["closed_on_time"]
        ),
        closure_rate=_rate(row["closure_rate"]),
        on_time_closure_rate=_rate(row["on_time_closure_rate"]),
        rubric_version=row["rubric_version"],
        computed_at=row["computed_at"],
    )
