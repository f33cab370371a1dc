"""Running totals of working time over consecutive days: the day a long limit is used up on, found by
bisection instead of walking the days one by one.

A limit of several working days (``P5D``, ``P10D``) crosses a week or two of days, holidays and weekends
among them. The totals hold, for a run of consecutive days, the working time before each day; adding
working time then costs a bisection. They grow a day at a time and only as far as a limit reaches, so
they read exactly the days a day-by-day walk would read (the calendar logs a warning the first time it
falls back for a year: the same warning, for the same year). Pure; one per calendar and district.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date, timedelta

_MICROSECOND = timedelta(microseconds=1)

# The working time of one day, as the calendar says (the day's periods).
DayLength = Callable[[date], timedelta]


class RunningTotals:
    def __init__(self, day_length: DayLength) -> None:
        self._day_length = day_length
        self._first = date.min  # the first day of the run; nothing is counted yet
        # _before[i]: the working time (µs) of the run's first i days; one more entry than days counted.
        self._before: list[int] = [0]

    def day_using_up(
        self, first: date, amount: timedelta, *, within_days: int
    ) -> tuple[date, timedelta] | None:
        """The day on which ``amount`` of working time counted from the start of day ``first`` is used up,
        and how much of it that day still takes (zero: the day's first working moment); None when the
        ``within_days`` days from ``first`` on do not hold it. Counts days only as far as needed."""
        if not self._first <= first <= self._first + timedelta(days=len(self._before) - 1):
            # Not where the run is, or past its end: start a new run here rather than read the days
            # in between, which no limit has needed.
            self._first, self._before = first, [0]
        before = self._before
        start = (first - self._first).days
        target = before[start] + amount // _MICROSECOND
        # Used up on the first day whose running total reaches the target; zero working time on the first
        # day with any working time (whose total exceeds it).
        goal = target if amount else target + 1
        while before[-1] < goal:
            if len(before) > start + within_days:
                return None
            counted = self._first + timedelta(days=len(before) - 1)
            before.append(before[-1] + self._day_length(counted) // _MICROSECOND)
        day = bisect_left(before, goal, start + 1) - 1
        return self._first + timedelta(days=day), (target - before[day]) * _MICROSECOND
