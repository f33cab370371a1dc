"""Scoring's SQL: case facts, what each case adds to each result, and the results.

Functions take the caller's connection and never commit: the consumer's transaction (inbox row, facts,
results, outbox) commits or rolls back as one. Reads for the HTTP side are in ``queries.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import asyncpg

from services.scoring.domain import COUNTERS, CaseFact, Key, Period, Subject, parse_period
from services.scoring.domain.counters import as_tuple, from_mapping
from services.scoring.domain.reports import FACT, VoidedReport, sweep_at
from shared.events.assessments import AssessmentCounters, IndicatorValue, PeriodKind

_COLUMNS = ", ".join(COUNTERS)


@dataclass(frozen=True)
class StoredResult:
    subject: Subject
    period: str
    period_kind: PeriodKind
    counters: AssessmentCounters
    indicators: tuple[IndicatorValue, ...]
    closure_rate: str | None
    on_time_closure_rate: str | None
    score: str | None
    grade: str | None
    rubric_version: str
    computed_at: datetime


class Repository:
    def __init__(self, schema: str) -> None:
        self._s = f'"{schema}"'

    # --- case facts --------------------------------------------------------------------------------

    async def load_fact(self, conn: asyncpg.Connection, case_id: UUID) -> CaseFact | VoidedReport | None:
        """A case's fact, or a voided report's (keyed by the report id: never a case id, which dispatch
        derives from the report id)."""
        text = await conn.fetchval(
            f"select fact::text from {self._s}.case_facts where case_id = $1 for update", case_id
        )
        return None if text is None else FACT.validate_json(text)

    async def save_facts(self, conn: asyncpg.Connection, facts: list[CaseFact | VoidedReport]) -> None:
        await conn.execute(
            f"""insert into {self._s}.case_facts (case_id, fact, sweep_at)
                select id, fact::jsonb, sweep_at from unnest($1::uuid[], $2::text[], $3::timestamptz[])
                    as f (id, fact, sweep_at)
                on conflict (case_id) do update set
                    fact = excluded.fact, sweep_at = excluded.sweep_at, updated_at = now()""",
            [fact.fact_id for fact in facts],
            [fact.model_dump_json() for fact in facts],
            [sweep_at(fact) for fact in facts],
        )

    async def due_for_sweep(self, conn: asyncpg.Connection, now: datetime, limit: int) -> list[UUID]:
        rows = await conn.fetch(
            f"""select case_id from {self._s}.case_facts where sweep_at < $1 order by sweep_at limit $2""",
            now,
            limit,
        )
        return [row["case_id"] for row in rows]

    async def all_facts(self, conn: asyncpg.Connection) -> list[CaseFact | VoidedReport]:
        rows = await conn.fetch(f"select fact::text as fact from {self._s}.case_facts")
        return [FACT.validate_json(row["fact"]) for row in rows]

    # --- what each case adds -----------------------------------------------------------------------

    async def replace_contributions(
        self, conn: asyncpg.Connection, parts: dict[UUID, dict[Key, AssessmentCounters]]
    ) -> None:
        """What each of these cases adds to each result, replacing what they added before."""
        if not parts:
            return
        await conn.execute(
            f"delete from {self._s}.case_contributions where case_id = any($1::uuid[])", list(parts)
        )
        rows = [(case_id, key) for case_id, counted in parts.items() for key in sorted(counted)]
        columns = _columns([as_tuple(parts[case_id][key]) for case_id, key in rows])
        await conn.execute(
            f"""insert into {self._s}.case_contributions
                    (case_id, subject_type, subject_id, period, {_COLUMNS})
                select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[],
                    {", ".join(f"${i + 5}::int[]" for i in range(len(COUNTERS)))})""",
            [case_id for case_id, _ in rows],
            [key[0].subject_type for _, key in rows],
            [key[0].subject_id for _, key in rows],
            [str(key[1]) for _, key in rows],
            *columns,
        )

    # --- results -----------------------------------------------------------------------------------

    async def add_to_results(
        self,
        conn: asyncpg.Connection,
        moved: dict[Key, tuple[int, ...]],
        *,
        rubric_version: str,
        at: datetime,
    ) -> list[tuple[Subject, Period, AssessmentCounters]]:
        """Add each delta to its result's counters (rows created as needed) and return the new counters.

        Existing rows are updated first and only the missing ones inserted: PostgreSQL checks a row's
        constraints on the proposed insert even when it conflicts, and a delta (−1 due, +1 closed) is no
        valid row on its own. Should another instance insert the same new row meanwhile, the insert adds
        to it instead (and a check that then fails rolls the batch back to be retried).
        """
        keys = sorted(moved)
        by_text = {(str(key[0]), str(key[1])): key for key in keys}
        unnest = f"""unnest($1::text[], $2::text[], $3::text[], $4::text[],
                    {", ".join(f"${i + 5}::int[]" for i in range(len(COUNTERS)))})
                    as d (subject_type, subject_id, period, period_kind, {_COLUMNS})"""
        updated = await conn.fetch(
            f"""update {self._s}.assessment_results r set
                    {", ".join(f"{n} = r.{n} + d.{n}" for n in COUNTERS)}
                from {unnest}
                where (r.subject_type, r.subject_id, r.period) = (d.subject_type, d.subject_id, d.period)
                returning r.subject_type, r.subject_id, r.period, {", ".join(f"r.{n}" for n in COUNTERS)}""",
            *self._arrays(keys, moved),
        )
        done = {(f"{row['subject_type']}:{row['subject_id']}", row["period"]) for row in updated}
        missing = [key for key in keys if (str(key[0]), str(key[1])) not in done]
        inserted = []
        if missing:
            inserted = await conn.fetch(
                f"""insert into {self._s}.assessment_results
                        (subject_type, subject_id, period, period_kind, {_COLUMNS},
                         rubric_version, computed_at)
                    select d.*, ${len(COUNTERS) + 5}, ${len(COUNTERS) + 6} from {unnest}
                    on conflict (subject_type, subject_id, period) do update set
                        {", ".join(f"{n} = assessment_results.{n} + excluded.{n}" for n in COUNTERS)}
                    returning subject_type, subject_id, period, {_COLUMNS}""",
                *self._arrays(missing, moved),
                rubric_version,
                at,
            )
        result = []
        for row in [*updated, *inserted]:
            subject, period = by_text[(f"{row['subject_type']}:{row['subject_id']}", row["period"])]
            result.append((subject, period, from_mapping(row)))
        return sorted(result, key=lambda item: (item[0], item[1]))

    @staticmethod
    def _arrays(keys: list[Key], moved: dict[Key, tuple[int, ...]]) -> list[list[Any]]:
        return [
            [key[0].subject_type for key in keys],
            [key[0].subject_id for key in keys],
            [str(key[1]) for key in keys],
            [key[1].kind for key in keys],
            *_columns([moved[key] for key in keys]),
        ]

    async def save_assessments(self, conn: asyncpg.Connection, results: list[StoredResult]) -> None:
        await conn.executemany(
            f"""update {self._s}.assessment_results set
                    indicators = $4::jsonb, closure_rate = $5::numeric, on_time_closure_rate = $6::numeric,
                    score = $7::numeric, grade = $8, rubric_version = $9, computed_at = $10
                where subject_type = $1 and subject_id = $2 and period = $3""",
            [
                (
                    result.subject.subject_type,
                    result.subject.subject_id,
                    result.period,
                    json.dumps([i.model_dump() for i in result.indicators]),
                    result.closure_rate,
                    result.on_time_closure_rate,
                    result.score,
                    result.grade,
                    result.rubric_version,
                    result.computed_at,
                )
                for result in results
            ],
        )

    async def delete_results(self, conn: asyncpg.Connection, keys: list[tuple[Subject, Period]]) -> None:
        if keys:
            await conn.executemany(
                f"""delete from {self._s}.assessment_results
                    where subject_type = $1 and subject_id = $2 and period = $3""",
                [(subject.subject_type, subject.subject_id, str(period)) for subject, period in keys],
            )


def _columns(vectors: list[tuple[int, ...]]) -> list[list[int]]:
    """Counter vectors (one per row) as one list per counter, for ``unnest``."""
    return [[vector[i] for vector in vectors] for i in range(len(COUNTERS))]


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def stored_result(row: asyncpg.Record) -> StoredResult:
    indicators = row["indicators"]
    if isinstance(indicators, str):
        indicators = json.loads(indicators)
    return StoredResult(
        subject=Subject(row["subject_type"], row["subject_id"]),
        period=row["period"],
        period_kind=cast(PeriodKind, row["period_kind"]),
        counters=from_mapping(row),
        indicators=tuple(IndicatorValue.model_validate(i) for i in indicators),
        closure_rate=_rate(row["closure_rate"]),
        on_time_closure_rate=_rate(row["on_time_closure_rate"]),
        score=_rate(row["score"]),
        grade=row["grade"],
        rubric_version=row["rubric_version"],
        computed_at=row["computed_at"],
    )


class Rebuild:
    """The recompute's writes: every fact, every case's contributions and the inbox replaced at once."""

    def __init__(self, schema: str) -> None:
        self._schema = schema
        self._s = f'"{schema}"'

    async def lock(self, conn: asyncpg.Connection) -> None:
        """Hold the consumer and the sweep off until the transaction ends."""
        tables = ", ".join(
            f"{self._s}.{t}" for t in ("inbox", "case_facts", "case_contributions", "assessment_results")
        )
        await conn.execute(f"lock table {tables} in exclusive mode")

    async def replace_facts(self, conn: asyncpg.Connection, facts: list[CaseFact | VoidedReport]) -> None:
        await conn.execute(f"delete from {self._s}.case_facts")
        records = [(fact.fact_id, fact.model_dump_json(), sweep_at(fact)) for fact in facts]
        await conn.copy_records_to_table(
            "case_facts", schema_name=self._schema, columns=["case_id", "fact", "sweep_at"], records=records
        )

    async def replace_contributions(
        self, conn: asyncpg.Connection, parts: list[tuple[UUID, Key, AssessmentCounters]]
    ) -> None:
        await conn.execute(f"delete from {self._s}.case_contributions")
        await conn.copy_records_to_table(
            "case_contributions",
            schema_name=self._schema,
            columns=["case_id", "subject_type", "subject_id", "period", *COUNTERS],
            records=[
                (case_id, key[0].subject_type, key[0].subject_id, str(key[1]), *as_tuple(counters))
                for case_id, key, counters in parts
            ],
        )

    async def mark_seen(self, conn: asyncpg.Connection, ids: list[tuple[str, str]]) -> None:
        await conn.execute(
            f"""insert into {self._s}.inbox (source, event_id)
                select * from unnest($1::text[], $2::text[]) on conflict do nothing""",
            [source for source, _ in ids],
            [event_id for _, event_id in ids],
        )

    async def counters(
        self, conn: asyncpg.Connection, periods: list[str] | None
    ) -> dict[Key, AssessmentCounters]:
        rows = await conn.fetch(
            f"""select * from {self._s}.assessment_results where $1::text[] is null or period = any($1)""",
            periods,
        )
        return {
            (Subject(r["subject_type"], r["subject_id"]), parse_period(r["period"])): from_mapping(r)
            for r in rows
        }
