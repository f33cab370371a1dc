"""The periods that have results, and the rubric they are assessed under."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.scoring.api.deps import Context
from services.scoring.domain import Rubric
from services.scoring.schemas import Periods
from shared.events.assessments import PeriodKind

router = APIRouter(prefix="/v1", tags=["assessments"])


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
