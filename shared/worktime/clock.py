"""Adding working time to an instant, and measuring the working time between two instants.

Working time passes only inside the working periods of working days. A start outside working hours
(at night, in the lunch break, on a holiday) starts counting at the next working moment. A limit used
up exactly at the end of a period falls due at that end (12:00, not 14:00): "by noon".

The arithmetic is done in UTC and the answer given in the start's time zone, so that a time zone's
offset changes can never stretch or shrink a period.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.worktime.workcalendar import WorkCalendar

# Ten years without a working day means a broken calendar, not a long limit.
_MAX_DAYS = 3660


def add_working_time(
    start: datetime, amount: timedelta, *, calendar: WorkCalendar, district_id: str | None = None
) -> datetime:
    """The instant at which ``amount`` of working time counted from ``start`` is used up.

    ``amount`` must not be negative; zero gives the first working moment at or after ``start``.
    """
    if amount < timedelta(0):
        raise ValueError(f"working time to add must not be negative, got {amount}")
    begin = _utc(start)
    remaining = amount
    day = begin.astimezone(calendar.hours.zone).date()
    # The start's own day, period by period: the start may fall inside one, or after it.
    for period_start, period_end in calendar.working_periods(day, district_id):
        opens = max(period_start, begin)
        if opens >= period_end:
            continue
        if remaining <= period_end - opens:
            return (opens + remaining).astimezone(start.tzinfo)
        remaining -= period_end - opens
    # The days after it from their start: the day the rest is used up on, from the running totals.
    found = calendar.running_totals(district_id).day_using_up(
        day + timedelta(days=1), remaining, within_days=_MAX_DAYS - 1
    )
    if found is None:
        raise ValueError(f"the work calendar has no working day within {_MAX_DAYS} days of {start}")
    day, remaining = found
    for period_start, period_end in calendar.working_periods(day, district_id):
        if remaining <= period_end - period_start:
            return (period_start + remaining).astimezone(start.tzinfo)
        remaining -= period_end - period_start
    raise AssertionError(f"the running totals of {day} disagree with its working periods")


def working_time_between(
    start: datetime, end: datetime, *, calendar: WorkCalendar, district_id: str | None = None
) -> timedelta:
    """The working time in [start, end); negative when ``end`` is before ``start``."""
    if end < start:
        return -working_time_between(end, start, calendar=calendar, district_id=district_id)
    begin, finish = _utc(start), _utc(end)
    zone = calendar.hours.zone
    total = timedelta(0)
    day, last = begin.astimezone(zone).date(), finish.astimezone(zone).date()
    while day <= last:
        for period_start, period_end in calendar.working_periods(day, district_id):
            opens, closes = max(period_start, begin), min(period_end, finish)
            if opens < closes:
                total += closes - opens
        day += timedelta(days=1)
    return total


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"working time needs an aware datetime, got naive {instant}")
    return instant.astimezone(UTC)
