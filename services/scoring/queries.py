"""Scoring's reads for the HTTP side: one result, the cases behind it, rankings, periods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import asyncpg

from services.scoring.domain import COUNTERS, Period, Subject
from services.scoring.repository import StoredResult, stored_result
from shared.events.assessments import SubjectType

# Ranking orders: the foundation's list by on-time closure rate, and the bulletin's by composite score.
_ORDERS = {
    "on_time_closure_rate": "on_time_closure_rate desc nulls last, subject_id",
    "score": "score desc nulls last, subject_id",
}


@dataclass(frozen=True)
class Ranked:
    # Competition ranking ("1224"): equal scores share a rank. None: no score, so not ranked.
    rank: int | None
    result: StoredResult


class Queries:
    def __init__(self, schema: str) -> None:
        self._s = f'"{schema}"'

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
        return None if row is None else stored_result(row)

    async def cases_behind(
        self, conn: asyncpg.Connection, subject: Subject, period: Period
    ) -> dict[str, list[UUID]]:
        """Every counter's case ids (a case counted twice, e.g. two reworks, is listed once)."""
        rows = await conn.fetch(
            f"""select * from {self._s}.case_contributions
                where subject_type = $1 and subject_id = $2 and period = $3 order by case_id""",
            subject.subject_type,
            subject.subject_id,
            str(period),
        )
        return {name: [row["case_id"] for row in rows if row[name] > 0] for name in COUNTERS}

    async def ranking(
        self,
        conn: asyncpg.Connection,
        *,
        period: Period,
        subject_type: SubjectType,
        limit: int | None,
        offset: int = 0,
        by: Literal["on_time_closure_rate", "score"] = "score",
    ) -> tuple[int, list[Ranked]]:
        total = await conn.fetchval(
            f"select count(*) from {self._s}.assessment_results where period = $1 and subject_type = $2",
            str(period),
            subject_type,
        )
        rows = await conn.fetch(
            f"""select *, case when score is null then null
                               else rank() over (partition by score is null order by score desc) end as rank
                from {self._s}.assessment_results
                where period = $1 and subject_type = $2
                order by {_ORDERS[by]}
                limit $3 offset $4""",
            str(period),
            subject_type,
            limit,
            offset,
        )
        return int(total), [Ranked(rank=row["rank"], result=stored_result(row)) for row in rows]

    async def periods(self, conn: asyncpg.Connection, kind: str = "month") -> list[str]:
        rows = await conn.fetch(
            f"""select distinct period from {self._s}.assessment_results
                where period_kind = $1 order by period desc""",
            kind,
        )
        return [row["period"] for row in rows]

    async def reporters(
        self, conn: asyncpg.Connection, *, period: Period, source_types: tuple[str, ...]
    ) -> list[StoredResult]:
        """A period's reporter results of the given kinds of reporter (subject ids ``<source>:<id>``)."""
        rows = await conn.fetch(
            f"""select * from {self._s}.assessment_results
                where period = $1 and subject_type = 'reporter' and split_part(subject_id, ':', 1) = any($2)
                order by subject_id""",
            str(period),
            list(source_types),
        )
        return [stored_result(row) for row in rows]

    async def service_minutes(
        self, conn: asyncpg.Connection, *, period: Period, person_ids: list[str] | None = None
    ) -> dict[str, int]:
        """Volunteer minutes per person (grid-worker results) in a period; all people with a result when
        ``person_ids`` is None."""
        rows = await conn.fetch(
            f"""select subject_id, service_minutes from {self._s}.assessment_results
                where period = $1 and subject_type = 'grid_worker'
                  and ($2::text[] is null or subject_id = any($2))""",
            str(period),
            person_ids,
        )
        return {row["subject_id"]: row["service_minutes"] for row in rows}
