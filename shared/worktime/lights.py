"""When a limit falls due, when its case turns yellow and red, and which light it shows now.

A limit runs either in working time (on the work calendar) or on the wall clock (urgent matters, minute
limits). In demo time (``scale`` ≠ 1) every limit is taken on the wall clock, a day being 24 hours, and
divided by the scale: the calendar is ignored, so that a demo or an end-to-end test sees the same
compressed durations whatever the day of the week.

The light is the share of the limit used, measured the way the limit runs: working time for working-time
limits (a night or a holiday uses none of it), wall-clock time otherwise. So the light turns yellow
exactly at ``yellow_at`` and red exactly at ``red_at``, which handling's supervision timers can wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.worktime.clock import add_working_time, working_time_between
from shared.worktime.limits import Limit
from shared.worktime.matrix import Light, Thresholds
from shared.worktime.workcalendar import WorkCalendar


@dataclass(frozen=True)
class Clock:
    """How a limit's time passes: on the work calendar, or (``calendar`` None) on the wall clock."""

    calendar: WorkCalendar | None
    district_id: str | None = None
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.scale > 0:
            raise ValueError(f"the time scale must be greater than zero, got {self.scale}")

    @property
    def is_wall_clock(self) -> bool:
        return self.calendar is None

    def length(self, limit: Limit) -> timedelta:
        """How much of this clock's time the limit gives."""
        if self.calendar is None:
            return limit.wall_clock_length() / self.scale
        return limit.working_length(self.calendar.hours.working_day)

    def deadline(self, start: datetime, limit: Limit) -> datetime:
        """When ``limit`` counted from ``start`` is used up on this clock."""
        return self.add(start, self.length(limit))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        if self.calendar is None:
            return start + amount
        return add_working_time(start, amount, calendar=self.calendar, district_id=self.district_id)

    def between(self, start: datetime, end: datetime) -> timedelta:
        if self.calendar is None:
            return end - start
        return working_time_between(start, end, calendar=self.calendar, district_id=self.district_id)


def clock_for(
    limit: Limit,
    *,
    wall_clock: bool,
    calendar: WorkCalendar,
    district_id: str | None = None,
    scale: float = 1.0,
) -> Clock:
    """The clock a limit runs on: demo time (scale ≠ 1) and wall-clock limits ignore the calendar."""
    if scale != 1 or wall_clock:
        return Clock(None, scale=scale)
    return Clock(calendar, district_id)


@dataclass(frozen=True)
class Due:
    """A limit placed on the calendar: when it falls due, and when the case turns yellow and red."""

    due: datetime
    yellow_at: datetime
    red_at: datetime


def due_after(start: datetime, limit: Limit, thresholds: Thresholds, clock: Clock) -> Due:
    """``limit`` counted from ``start`` on ``clock``, with the moments its thresholds pass."""
    length = clock.length(limit)
    return Due(
        due=clock.deadline(start, limit),
        yellow_at=clock.add(start, length * thresholds.yellow),
        red_at=clock.add(start, length * thresholds.red),
    )


def traffic_light(
    now: datetime, started: datetime, deadline: datetime, thresholds: Thresholds, clock: Clock | None = None
) -> Light:
    """green, yellow or red by the share of the time from ``started`` to ``deadline`` used at ``now``.

    Without a clock the share is of wall-clock time.
    """
    clock = clock or Clock(None)
    total = clock.between(started, deadline)
    if total <= timedelta(0):
        return "red" if now >= deadline else "green"
    # Compared as durations, rounded the same way as in due_after, so the light turns at yellow_at exactly.
    used = clock.between(started, now)
    if used >= total * thresholds.red:
        return "red"
    if used >= total * thresholds.yellow:
        return "yellow"
    return "green"
