"""When a case must be signed for, resolved and closed, counted from the moment it is dispatched.

Each limit comes from the time-limit matrix at the case's tier (``city/time_limits.yaml``, falling back
to the category's ``resolve_within`` / ``close_within``) and is placed on the work calendar of the
case's district: working days and hours count working time only; urgent categories and minute limits
run on the wall clock (``shared.worktime``). ``yellow_at`` and ``red_at`` are when the handling clock
(dispatch → ``resolve_by``) passes the category's warning thresholds.

Demo time: an ``sla_scale`` other than 1 takes every limit on the wall clock (a day = 24 h) divided by
the scale and ignores the calendar, so that demos and end-to-end tests see compressed deadlines
whatever the day of the week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from shared.city import Category, Tier
from shared.worktime import (
    Clock,
    Limit,
    Stage,
    TimeLimitMatrix,
    WorkCalendar,
    WorkTime,
    clock_for,
    due_after,
)


@dataclass(frozen=True)
class Deadlines:
    accept_by: datetime
    resolve_by: datetime
    close_by: datetime
    yellow_at: datetime
    red_at: datetime


@cache
def national_worktime() -> WorkTime:
    """The national calendar with the default working hours and the category catalogue's limits only."""
    return WorkTime(WorkCalendar.national(), TimeLimitMatrix())


def deadlines_for(
    category: Category,
    *,
    dispatched_at: datetime,
    tier: Tier | None = None,
    district_id: str | None = None,
    worktime: WorkTime | None = None,
    sla_scale: float = 1.0,
) -> Deadlines:
    """Deadlines of a case of ``category`` at ``tier`` (default: its own) dispatched at ``dispatched_at``.

    ``worktime`` is the city's calendar and matrix (default: the national calendar, catalogue limits).
    ``sla_scale`` divides every limit: 1.0 in production; a demo or an end-to-end test sets e.g. 3600 to
    make a day pass in 24 seconds.
    """
    if not sla_scale > 0:
        raise ValueError(f"sla_scale must be greater than zero, got {sla_scale}")
    worktime = worktime or national_worktime()
    matrix, at_tier = worktime.matrix, tier or category.default_tier
    thresholds = matrix.thresholds_for(category.code)

    def placed(stage: Stage) -> tuple[Limit, Clock]:
        limit = matrix.limit(category, at_tier, stage)
        wall_clock = matrix.runs_on_wall_clock(category, limit)
        return limit, clock_for(
            limit, wall_clock=wall_clock, calendar=worktime.calendar, district_id=district_id, scale=sla_scale
        )

    handle_limit, handle_clock = placed("handle")
    handle = due_after(dispatched_at, handle_limit, thresholds, handle_clock)
    accept_limit, accept_clock = placed("accept")
    close_limit, close_clock = placed("close")
    return Deadlines(
        accept_by=accept_clock.deadline(dispatched_at, accept_limit),
        resolve_by=handle.due,
        close_by=close_clock.deadline(dispatched_at, close_limit),
        yellow_at=handle.yellow_at,
        red_at=handle.red_at,
    )
