"""Read-only HTTP: a subject's result with its indicators and the cases behind them, rankings per level
and period, a period's bulletin as CSV, the periods, the rubric in force.

No authentication yet: results are read-only, and who may see whose results (an operator their district)
comes with the authorisation issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from services.scoring.bulletin import bulletin_csv
from services.scoring.domain import SUBJECT_TYPES, InvalidPeriod, Period, Rubric, Subject, parse_period
from services.scoring.domain.vanguard import VanguardRules
from services.scoring.queries import Queries, Ranked
from services.scoring.repository import StoredResult
from shared.events.assessments import AssessmentCounters, IndicatorValue, PeriodKind, SubjectType
from shared.http import ApiError

router = APIRouter(prefix="/v1", tags=["assessments"])


@dataclass(frozen=True)
class ApiContext:
    pool: asyncpg.Pool
    queries: Queries
    rubric: Rubric
    names: Mapping[str, str]
    max_page_size: int
    vanguard: VanguardRules
    # The registry's grid workers: listed for volunteer hours even with none served.
    grid_workers: tuple[str, ...] = ()
    # The city's timezone (IANA name): periods of the trend API follow its wall clock.
    timezone: str = "Asia/Shanghai"


async def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.scoring
    return context


Context = Annotated[ApiContext, Depends(_context)]


class Assessment(BaseModel):
    subject_type: SubjectType
    subject_id: str
    name: str | None
    period: str
    period_kind: PeriodKind
    counters: AssessmentCounters
    closure_rate: str | None
    on_time_closure_rate: str | None
    score: str | None
    grade: str | None
    rubric_version: str
    computed_at: datetime


class Ranking(BaseModel):
    period: str
    subject_type: SubjectType
    total: int
    limit: int
    offset: int
    items: list[Assessment]


class RankedAssessment(Assessment):
    rank: int | None
    indicators: list[IndicatorValue]


class Rankings(BaseModel):
    level: SubjectType
    period: str
    rubric_version: str
    total: int
    limit: int
    offset: int
    items: list[RankedAssessment]


class AssessmentDetail(Assessment):
    indicators: list[IndicatorValue]
    # counter name → the ids of the cases that add to it
    cases: dict[str, list[UUID]]


class Periods(BaseModel):
    periods: list[str]
    # Those whose results are final (closed GRIDLOOP_SCORING_PERIOD_GRACE_DAYS after they ended).
    closed: list[str] = []


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except InvalidPeriod as exc:
        raise ApiError(400, "invalid_period", str(exc)) from exc


def _subject_type(text: str, field: str = "subject_type") -> SubjectType:
    for known in SUBJECT_TYPES:
        if text == known:
            return known
    raise ApiError(
        400, f"invalid_{field}", f"{field} must be one of {', '.join(SUBJECT_TYPES)}, not {text!r}"
    )


def _assessment(result: StoredResult, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "subject_type": result.subject.subject_type,
        "subject_id": result.subject.subject_id,
        "name": names.get(result.subject.subject_id),
        "period": result.period,
        "period_kind": result.period_kind,
        "counters": result.counters,
        "closure_rate": result.closure_rate,
        "on_time_closure_rate": result.on_time_closure_rate,
        "score": result.score,
        "grade": result.grade,
        "rubric_version": result.rubric_version,
        "computed_at": result.computed_at,
    }


@router.get("/assessments", response_model=Ranking)
async def ranking(
    ctx: Context,
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY")],
    subject_type: Annotated[str, Query(description=" | ".join(SUBJECT_TYPES))],
    limit: Annotated[int, Query(ge=1, description="page size, capped at 500")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Ranking:
    """A period's results of one kind of subject, best on-time closure rate first."""
    when, kind = _period(period), _subject_type(subject_type)
    limit = min(limit, ctx.max_page_size)
    async with ctx.pool.acquire() as conn:
        total, ranked = await ctx.queries.ranking(
            conn, period=when, subject_type=kind, limit=limit, offset=offset, by="on_time_closure_rate"
        )
    items = [Assessment(**_assessment(r.result, ctx.names)) for r in ranked]
    return Ranking(period=str(when), subject_type=kind, total=total, limit=limit, offset=offset, items=items)


@router.get("/assessments/{subject_type}/{subject_id}", response_model=AssessmentDetail)
async def assessment(ctx: Context, subject_type: str, subject_id: str, period: str) -> AssessmentDetail:
    """One subject's result: each indicator with the counters it divides, the cases behind each counter."""
    when, subject = _period(period), Subject(_subject_type(subject_type), subject_id)
    async with ctx.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # One snapshot: the counters and the cases listed behind them agree.
        result = await ctx.queries.load_result(conn, subject, when)
        if result is None:
            raise ApiError(404, "not_found", f"no assessment for {subject} in {when}")
        cases = await ctx.queries.cases_behind(conn, subject, when)
    return AssessmentDetail(**_assessment(result, ctx.names), indicators=list(result.indicators), cases=cases)


async def _ranked(
    ctx: ApiContext, level: str, period: str, limit: int | None, offset: int, final: bool = False
) -> Any:
    when, kind = _period(period), _subject_type(level, "level")
    async with ctx.pool.acquire() as conn:
        if final and str(when) not in await ctx.queries.closed(conn, when.kind):
            raise ApiError(409, "period_open", f"{when} is not closed yet: it has no final results")
        total, ranked = await ctx.queries.ranking(
            conn, period=when, subject_type=kind, limit=limit, offset=offset, by="score", final=final
        )
    return when, kind, total, ranked


def _ranked_item(item: Ranked, names: Mapping[str, str]) -> RankedAssessment:
    return RankedAssessment(
        **_assessment(item.result, names), rank=item.rank, indicators=list(item.result.indicators)
    )


@router.get("/rankings", response_model=Rankings)
async def rankings(
    ctx: Context,
    level: Annotated[str, Query(description=" | ".join(SUBJECT_TYPES))],
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY")],
    limit: Annotated[int, Query(ge=1, description="page size, capped at 500")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    final: Annotated[bool, Query(description="the results as they stood when the period closed")] = False,
) -> Rankings:
    """A level's ranking in a period: best composite score first; equal scores share a rank; subjects
    without a score (no applicable indicator) come last, unranked. ``final=true``: the closed period's
    final results (409 ``period_open`` before it closes)."""
    limit = min(limit, ctx.max_page_size)
    when, kind, total, ranked = await _ranked(ctx, level, period, limit, offset, final)
    return Rankings(
        level=kind,
        period=str(when),
        rubric_version=ctx.rubric.version,
        total=total,
        limit=limit,
        offset=offset,
        items=[_ranked_item(item, ctx.names) for item in ranked],
    )


@router.get("/bulletins/{period}.csv", response_class=Response)
async def bulletin(
    ctx: Context,
    period: str,
    level: Annotated[str, Query(description=" | ".join(SUBJECT_TYPES))],
    final: Annotated[bool, Query(description="the results as they stood when the period closed")] = False,
) -> Response:
    """The whole ranking table of a level and period as CSV (UTF-8 with BOM, Chinese and English headers)."""
    when, kind, _, ranked = await _ranked(ctx, level, period, None, 0, final)
    return Response(
        content=bulletin_csv(ranked, ctx.names, ctx.rubric),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="gridloop-{kind}-{when}.csv"'},
    )


@router.get("/periods", response_model=Periods)
async def periods(
    ctx: Context, kind: Annotated[PeriodKind, Query(description="month, quarter or year")] = "month"
) -> Periods:
    """The periods of a kind that have results, latest first."""
    async with ctx.pool.acquire() as conn:
        return Periods(
            periods=await ctx.queries.periods(conn, kind), closed=await ctx.queries.closed(conn, kind)
        )


@router.get("/rubric", response_model=Rubric)
async def rubric(ctx: Context) -> Rubric:
    """The rubric in force: indicators and their formula variants, weights, grades."""
    return ctx.rubric
