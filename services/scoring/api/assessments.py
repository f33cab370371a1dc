"""A period's results of one kind of subject, and one subject's result with the cases behind it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.scoring.api.deps import Context, Seen
from services.scoring.api.errors import NoResult, OutsideJurisdiction
from services.scoring.domain import SUBJECT_TYPES, Subject, parse_period, parse_subject_type
from services.scoring.repository import StoredResult
from services.scoring.schemas import Assessment, AssessmentDetail, Ranking

router = APIRouter(prefix="/v1", tags=["assessments"])


def assessment_fields(result: StoredResult, names: Mapping[str, str]) -> dict[str, Any]:
    """An ``Assessment``'s fields of a stored result, with the subject's name."""
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
    seen: Seen,
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY")],
    subject_type: Annotated[str, Query(description=" | ".join(SUBJECT_TYPES))],
    limit: Annotated[int, Query(ge=1, description="page size, capped at 500")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Ranking:
    """A period's results of one kind of subject in your jurisdiction, best on-time closure rate first."""
    when, kind = parse_period(period), parse_subject_type(subject_type)
    limit = min(limit, ctx.max_page_size)
    async with ctx.pool.acquire() as conn:
        total, ranked = await ctx.queries.ranking(
            conn,
            period=when,
            subject_type=kind,
            limit=limit,
            offset=offset,
            by="on_time_closure_rate",
            subject_ids=seen.subject_ids(kind),
        )
    items = [Assessment(**assessment_fields(r.result, ctx.names)) for r in ranked]
    return Ranking(period=str(when), subject_type=kind, total=total, limit=limit, offset=offset, items=items)


@router.get("/assessments/{subject_type}/{subject_id}", response_model=AssessmentDetail)
async def assessment(
    ctx: Context, seen: Seen, subject_type: str, subject_id: str, period: str
) -> AssessmentDetail:
    """One subject's result: each indicator with the counters it divides, the cases behind each counter.
    403 for a subject outside your jurisdiction."""
    when, subject = parse_period(period), Subject(parse_subject_type(subject_type), subject_id)
    if not seen.sees(subject):
        raise OutsideJurisdiction(f"{subject_type} {subject_id} is outside your jurisdiction")
    async with ctx.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # One snapshot: the counters and the cases listed behind them agree.
        result = await ctx.queries.load_result(conn, subject, when)
        if result is None:
            raise NoResult(f"no assessment for {subject} in {when}")
        cases = await ctx.queries.cases_behind(conn, subject, when)
    return AssessmentDetail(
        **assessment_fields(result, ctx.names), indicators=list(result.indicators), cases=cases
    )
