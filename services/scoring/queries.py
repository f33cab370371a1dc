"""Scoring's reads for the HTTP side: one result, the cases behind it, rankings, periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from services.scoring.domain import COUNTERS, Period, Subject
from services.scoring.repository import StoredResult, stored_result
from shared.events.assessments import SubjectType

# Ranking orders: the assessments list by on-time closure rate, rankings and bulletins by composite score.
_ORDERS = {
    "on_time_closure_rate": "on_time_closure_rate desc nulls last, subject_id",
    "score": "score desc nulls last, subject_id",
}


# PostgreSQL's to_char patterns that print a period the way parse_period reads it.
_PERIOD_FORMATS = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}


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
        final: bool = False,
        subject_ids: list[str] | None = None,
    ) -> tuple[int, list[Ranked]]:
        """A level's results in a period, live or (``final``) as they stood when the period closed; only
        the ``subject_ids`` given (None: all). Ranks are the level's, whoever is left out."""
        table = f"{self._s}.final_results" if final else f"{self._s}.assessment_results"
        total = await conn.fetchval(
            f"""select count(*) from {table}
                where period = $1 and subject_type = $2 and ($3::text[] is null or subject_id = any($3))""",
            str(period),
            subject_type,
            subject_ids,
        )
        rows = await conn.fetch(
            f"""select * from (
                    select *,
                           case when score is null then null
                                else rank() over (partition by score is null order by score desc) end as rank
                    from {table}
                    where period = $1 and subject_type = $2
                ) as ranked
                where $5::text[] is null or subject_id = any($5)
                order by {_ORDERS[by]}
                limit $3 offset $4""",
            str(period),
            subject_type,
            limit,
            offset,
            subject_ids,
        )
        return int(total), [Ranked(rank=row["rank"], result=stored_result(row)) for row in rows]

    async def closed(self, conn: asyncpg.Connection, kind: str | None = None) -> list[str]:
        """Closed periods (their results final), latest first."""
        rows = await conn.fetch(
            f"""select period from {self._s}.period_closings
                where $1::text is null or period_kind = $1 order by period desc""",
            kind,
        )
        return [row["period"] for row in rows]

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

    async def trend(
        self,
        conn: asyncpg.Connection,
        *,
        kind: str,
        timezone: str,
        category: str | None,
        unit_column: str | None,
        unit_id: str | None,
    ) -> dict[str, dict[str, int]]:
        """Cases opened (and of them recurring) and closed per period, of a category and a unit (either
        may be None: all). ``unit_column`` comes from a fixed list, never from the request."""
        unit = f"and {unit_column} = $4" if unit_column else "and $4::text is null"
        periods: dict[str, dict[str, int]] = {}
        for column, extra in (("opened_at", ""), ("closed_at", "and closed_at is not null")):
            rows = await conn.fetch(
                f"""select to_char({column} at time zone $1, $2) as period, count(*) as n,
                           count(*) filter (where recurrence_of is not null) as recurring
                    from {self._s}.case_places
                    where ($3::text is null or category = $3) {unit} {extra}
                    group by 1""",
                timezone,
                _PERIOD_FORMATS[kind],
                category,
                unit_id,
            )
            for row in rows:
                figures = periods.setdefault(row["period"], {"opened": 0, "closed": 0, "recurring": 0})
                if column == "opened_at":
                    figures["opened"], figures["recurring"] = row["n"], row["recurring"]
                else:
                    figures["closed"] = row["n"]
        return dict(sorted(periods.items()))

    async def alerts(
        self, conn: asyncpg.Connection, *, since: datetime | None, grid_ids: list[str] | None, limit: int
    ) -> list[dict[str, Any]]:
        """Hotspots raised and recurring cases opened since ``since`` (all when None), in the grids given
        (None: everywhere), newest first."""
        rows = await conn.fetch(
            f"""(select 'hotspot' as kind, category, grid_id, raised_at,
                        null::uuid as case_id, null::uuid as repeats,
                        null::double precision as lon, null::double precision as lat
                   from {self._s}.hotspot_alerts
                  where ($1::timestamptz is null or raised_at >= $1)
                    and ($2::text[] is null or grid_id = any($2)))
                union all
                (select 'recurrence', category, grid_id, opened_at, case_id, recurrence_of, lon, lat
                   from {self._s}.case_places
                  where recurrence_of is not null
                    and ($1::timestamptz is null or opened_at >= $1)
                    and ($2::text[] is null or grid_id = any($2)))
                order by raised_at desc
                limit $3""",
            since,
            grid_ids,
            limit,
        )
        return [dict(row) for row in rows]
