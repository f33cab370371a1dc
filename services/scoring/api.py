"""Read-only HTTP: rankings per period, one subject's result with the cases behind it, the periods.

No authentication yet: results are read-only, and who may see whose results (an operator their district)
comes with the authorisation issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from services.scoring.domain import SUBJECT_TYPES, InvalidPeriod, Period, Subject, parse_period
from services.scoring.repository import Repository, StoredResult
from shared.events.assessments import ClosureCounters, SubjectType
from shared.http import ApiError

router = APIRouter(prefix="/v1", tags=["assessments"])


@dataclass(frozen=True)
class ApiContext:
    pool: asyncpg.Pool
    repository: Repository
    timezone: ZoneInfo
    max_page_size: int


async def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.scoring
    return context


Context = Annotated[ApiContext, Depends(_context)]


class Assessment(BaseModel):
    subject_type: SubjectType
    subject_id: str
    period: str
    counters: ClosureCounters
    closure_rate: str | None
    on_time_closure_rate: str | None
    rubric_version: str
    computed_at: datetime


class Ranking(BaseModel):
    period: str
    subject_type: SubjectType
    total: int
    limit: int
    offset: int
    items: list[Assessment]


class Ratio(BaseModel):
    counter: str
    value: int


class Indicator(BaseModel):
    name: str
    name_zh: str
    value: str | None
    numerator: Ratio
    denominator: Ratio


class CasesBehind(BaseModel):
    due_to_close: list[UUID]
    closed: list[UUID]
    closed_on_time: list[UUID]


class AssessmentDetail(Assessment):
    indicators: list[Indicator]
    cases: CasesBehind


class Periods(BaseModel):
    periods: list[str]


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except InvalidPeriod as exc:
        raise ApiError(400, "invalid_period", str(exc)) from exc


def _subject_type(text: str) -> SubjectType:
    for known in SUBJECT_TYPES:
        if text == known:
            return known
    raise ApiError(
        400, "invalid_subject_type", f"subject_type must be one of {', '.join(SUBJECT_TYPES)}, not {text!r}"
    )


def _assessment(result: StoredResult) -> dict[str, Any]:
    return {
        "subject_type": result.subject.subject_type,
        "subject_id": result.subject.subject_id,
        "period": result.period,
        "counters": result.counters,
        "closure_rate": result.closure_rate,
        "on_time_closure_rate": result.on_time_closure_rate,
        "rubric_version": result.rubric_version,
        "computed_at": result.computed_at,
    }


@router.get("/assessments", response_model=Ranking)
async def ranking(
    ctx: Context,
    period: Annotated[str, Query(description="month, YYYY-MM")],
    subject_type: Annotated[str, Query(description="grid_worker or grid")],
    limit: Annotated[int, Query(ge=1, description="page size, capped at 500")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Ranking:
    """A period's results of one kind of subject, best on-time closure rate first."""
    month, kind = _period(period), _subject_type(subject_type)
    limit = min(limit, ctx.max_page_size)
    async with ctx.pool.acquire() as conn:
        total, results = await ctx.repository.ranking(
            conn, period=month, subject_type=kind, limit=limit, offset=offset
        )
    return Ranking(
        period=str(month),
        subject_type=kind,
        total=total,
        limit=limit,
        offset=offset,
        items=[Assessment(**_assessment(result)) for result in results],
    )


@router.get("/assessments/{subject_type}/{subject_id}", response_model=AssessmentDetail)
async def assessment(ctx: Context, subject_type: str, subject_id: str, period: str) -> AssessmentDetail:
    """One subject's result, each indicator with the counters it divides and the cases behind them."""
    month, subject = _period(period), Subject(_subject_type(subject_type), subject_id)
    async with ctx.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # One snapshot: the counters and the cases listed behind them agree.
        result = await ctx.repository.load_result(conn, subject, month)
        if result is None:
            raise ApiError(404, "not_found", f"no assessment for {subject} in {month}")
        cases = await ctx.repository.cases_behind(conn, subject, month.bounds(ctx.timezone))
    counters = result.counters
    due = Ratio(counter="due_to_close", value=counters.due_to_close)
    return AssessmentDetail(
        **_assessment(result),
        indicators=[
            Indicator(
                name="closure_rate",
                name_zh="结案率",
                value=result.closure_rate,
                numerator=Ratio(counter="closed", value=counters.closed),
                denominator=due,
            ),
            Indicator(
                name="on_time_closure_rate",
                name_zh="按期结案率",
                value=result.on_time_closure_rate,
                numerator=Ratio(counter="closed_on_time", value=counters.closed_on_time),
                denominator=due,
            ),
        ],
        cases=CasesBehind(
            due_to_close=cases.due_to_close, closed=cases.closed, closed_on_time=cases.closed_on_time
        ),
    )


@router.get("/periods", response_model=Periods)
async def periods(ctx: Context) -> Periods:
    """The periods that have results, latest first."""
    async with ctx.pool.acquire() as conn:
        return Periods(periods=await ctx.repository.periods(conn))
