"""Analysis over HTTP: the trend of a category in a unit over periods (cases opened, of them recurring,
and closed), and the alerts raised (hotspots, recurrences) that the console draws on its map."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scoring.api.deps import Context, Seen
from services.scoring.api.errors import OutsideJurisdiction
from services.scoring.schemas import Alert, Alerts, Trend, TrendPoint, UnitType
from shared.events.assessments import PeriodKind

router = APIRouter(prefix="/v1", tags=["analysis"])

_UNIT_COLUMNS: dict[str, str] = {
    "grid": "grid_id",
    "community": "community_id",
    "street": "street_id",
    "district": "district_id",
}


@router.get("/trends", response_model=Trend)
async def trend(
    ctx: Context,
    seen: Seen,
    kind: Annotated[PeriodKind, Query(description="month, quarter or year")] = "month",
    category: Annotated[str | None, Query(description="a category code; all when absent")] = None,
    unit_type: Annotated[UnitType | None, Query(description="grid, community, street or district")] = None,
    unit_id: Annotated[str | None, Query(description="the unit's id; the whole city when absent")] = None,
) -> Trend:
    """Cases of a category (or all) in a unit (or the city) per period, oldest first: how many were
    opened, how many of those were recurring problems, how many were closed. Periods on the city's clock.
    403 for a unit outside your jurisdiction (the whole city is city-wide staff's)."""
    column = _UNIT_COLUMNS[unit_type] if unit_type and unit_id else None
    if not (seen.sees_unit(unit_id) if column and unit_id else seen.everything):
        raise OutsideJurisdiction(f"{unit_id or 'the whole city'} is outside your jurisdiction")
    async with ctx.pool.acquire() as conn:
        periods = await ctx.queries.trend(
            conn,
            kind=kind,
            timezone=ctx.timezone,
            category=category,
            unit_column=column,
            unit_id=unit_id if column else None,
        )
    return Trend(
        kind=kind,
        category=category,
        unit_type=unit_type,
        unit_id=unit_id,
        items=[TrendPoint(period=period, **figures) for period, figures in periods.items()],
    )


MAX_ALERTS = 500


@router.get("/alerts", response_model=Alerts)
async def alerts(
    ctx: Context,
    seen: Seen,
    since: Annotated[datetime | None, Query(description="raised at or after; all when absent")] = None,
    grid_id: Annotated[str | None, Query(description="one grid's; every grid's when absent")] = None,
    limit: Annotated[int, Query(ge=1, description=f"at most {MAX_ALERTS}")] = 200,
) -> Alerts:
    """Hotspots raised and recurring cases opened in your jurisdiction's grids, newest first: what
    gridloop.alerts carried, kept. 403 for a grid outside your jurisdiction."""
    if grid_id is not None and not seen.sees_unit(grid_id):
        raise OutsideJurisdiction(f"grid {grid_id} is outside your jurisdiction")
    grids = [grid_id] if grid_id is not None else seen.grid_ids()
    async with ctx.pool.acquire() as conn:
        rows = await ctx.queries.alerts(conn, since=since, grid_ids=grids, limit=min(limit, MAX_ALERTS))
    return Alerts(items=[Alert.model_validate(row) for row in rows])
