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
from shared.worktime import Stage, TimeLimitMatrix, WorkCalendar, WorkTime, due_after

# The stages whose clocks start at dispatch (verify starts at the resolution, in handling).
_STAGES_AT_DISPATCH: tuple[Stage, ...] = ("handle", "accept", "close")


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
    at_tier = tier or category.default_tier
    handle, accept, close = (
        worktime.placed(category, at_tier, stage, district_id=district_id, scale=sla_scale)
        for stage in _STAGES_AT_DISPATCH
    )
    due = due_after(dispatched_at, handle.limit, worktime.matrix.thresholds_for(category.code), handle.clock)
    return Deadlines(
        accept_by=accept.clock.add(dispatched_at, accept.length),
        resolve_by=due.due,
        close_by=close.clock.add(dispatched_at, close.length),
        yellow_at=due.yellow_at,
        red_at=due.red_at,
    )
