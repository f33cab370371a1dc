"""A level's ranking in a period by composite score, as JSON and as the bulletin's CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.scoring.api.assessments import assessment_fields
from services.scoring.api.deps import ApiContext, Context, Seen
from services.scoring.api.errors import PeriodOpen
from services.scoring.bulletin import bulletin_csv
from services.scoring.domain import SUBJECT_TYPES, Period, parse_period, parse_subject_type
from services.scoring.domain.visibility import Visibility
from services.scoring.queries import Ranked
from services.scoring.schemas import RankedAssessment, Rankings
from shared.events.assessments import SubjectType

router = APIRouter(prefix="/v1", tags=["assessments"])

Final = Annotated[bool, Query(description="the results as they stood when the period closed")]


async def _ranked(
    ctx: ApiContext, seen: Visibility, level: str, period: str, limit: int | None, offset: int, final: bool
) -> tuple[Period, SubjectType, int, list[Ranked]]:
    when, kind = parse_period(period), parse_subject_type(level, field="level")
    async with ctx.pool.acquire() as conn:
        if final and str(when) not in await ctx.queries.closed(conn, when.kind):
            raise PeriodOpen(f"{when} is not closed yet: it has no final results")
        total, ranked = await ctx.queries.ranking(
            conn,
            period=when,
            subject_type=kind,
            limit=limit,
            offset=offset,
            by="score",
            final=final,
            subject_ids=seen.subject_ids(kind),
        )
    return when, kind, total, ranked


@router.get("/rankings", response_model=Rankings)
async def rankings(
    ctx: Context,
    seen: Seen,
    level: Annotated[str, Query(description=" | ".join(SUBJECT_TYPES))],
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY")],
    limit: Annotated[int, Query(ge=1, description="page size, capped at 500")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    final: Final = False,
) -> Rankings:
    """A level's ranking in a period, of the subjects in your jurisdiction (with their ranks in the whole
    level): best composite score first; equal scores share a rank; subjects
    without a score (no applicable indicator) come last, unranked. ``final=true``: the closed period's
    final results (409 ``period_open`` before it closes)."""
    limit = min(limit, ctx.max_page_size)
    when, kind, total, ranked = await _ranked(ctx, seen, level, period, limit, offset, final)
    items = [
        RankedAssessment(
            **assessment_fields(item.result, ctx.names),
            rank=item.rank,
            indicators=list(item.result.indicators),
        )
        for item in ranked
    ]
    return Rankings(
        level=kind,
        period=str(when),
        rubric_version=ctx.rubric.version,
        total=total,
        limit=limit,
        offset=offset,
        items=items,
    )


@router.get("/bulletins/{period}.csv", response_class=Response)
async def bulletin(
    ctx: Context,
    seen: Seen,
    period: str,
    level: Annotated[str, Query(description=" | ".join(SUBJECT_TYPES))],
    final: Final = False,
) -> Response:
    """The whole ranking table of a level and period as CSV (UTF-8 with BOM, Chinese and English headers)."""
    when, kind, _, ranked = await _ranked(ctx, seen, level, period, None, 0, final)
    return Response(
        content=bulletin_csv(ranked, ctx.names, ctx.rubric),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="gridloop-{kind}-{when}.csv"'},
    )
