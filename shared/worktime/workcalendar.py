"""The work calendar: which days are working days, and the working hours of a working day.

Which days are off, in order of precedence:

1. a district's local overrides (``districts`` in ``city/calendar.yaml``);
2. a year written in ``city/calendar.yaml`` (a year the library does not cover yet, or a correction):
   it replaces the library's data for that whole year;
3. the ``chinese-calendar`` library: public holidays and the weekend days made working days (调休);
4. past all known data, the fallback: Monday to Friday are working days, there are no holidays. The
   first time a calendar falls back for a year it logs a warning, so that someone adds the year's
   notice to ``city/calendar.yaml``; it never fails.

Pure apart from that warning: no I/O; the library's data is compiled into the package.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]

from shared.worktime.totals import RunningTotals

log = logging.getLogger("gridloop.worktime")

SATURDAY = 5
_NONE = timedelta(0)


@dataclass(frozen=True)
class WorkingHours:
    """The working periods of every working day, in the city's time zone (e.g. 08:30–12:00, 14:00–17:30)."""

    periods: tuple[tuple[time, time], ...]
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        previous_end = time.min
        for index, (start, end) in enumerate(self.periods):
            if not start < end:
                raise ValueError(f"working period {start:%H:%M}–{end:%H:%M} ends before it starts")
            if index and start < previous_end:
                raise ValueError(
                    f"working period {start:%H:%M}–{end:%H:%M} overlaps or precedes the one before"
                )
            previous_end = end
        ZoneInfo(self.timezone)  # refuses an unknown zone now rather than at the first deadline

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def working_day(self) -> timedelta:
        """One working day: the sum of the day's working periods."""
        return sum((_length(start, end) for start, end in self.periods), timedelta(0))

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of ``day`` as aware datetimes in the city's time zone."""
        return [
            (datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))
            for start, end in self.periods
        ]


DEFAULT_WORKING_HOURS = WorkingHours(((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30))))


@dataclass(frozen=True)
class DayRules:
    """Days off and the weekend days made working days; a day in neither is off exactly at weekends."""

    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    def decides(self, day: date) -> bool | None:
        """True (working) or False (off) when these rules name ``day``; None when they are silent."""
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        return None

    def is_working_day(self, day: date) -> bool:
        decided = self.decides(day)
        return decided if decided is not None else day.weekday() < SATURDAY


@cache
def library_rules() -> tuple[DayRules, range]:
    """The chinese-calendar library's rules and the years it covers."""
    holidays = frozenset(chinese_calendar.holidays)
    years = range(min(holidays).year, max(holidays).year + 1)
    return DayRules(holidays, frozenset(chinese_calendar.workdays)), years


@dataclass(frozen=True)
class WorkCalendar:
    """Working days (national, per configured year, per district) and the working hours of each."""

    hours: WorkingHours = DEFAULT_WORKING_HOURS
    library: DayRules = field(default_factory=DayRules)
    library_years: range = range(0)
    years: Mapping[int, DayRules] = field(default_factory=dict)
    districts: Mapping[str, DayRules] = field(default_factory=dict)
    # Memo of decided days and the years already warned about; not part of the calendar's value.
    _memo: dict[tuple[str | None, date], bool] = field(default_factory=dict, compare=False, repr=False)
    _warned: set[int] = field(default_factory=set, compare=False, repr=False)
    _periods_memo: dict[tuple[str | None, date], tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _totals: dict[str | None, RunningTotals] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def national(
        cls,
        hours: WorkingHours = DEFAULT_WORKING_HOURS,
        *,
        years: Mapping[int, DayRules] | None = None,
        districts: Mapping[str, DayRules] | None = None,
    ) -> WorkCalendar:
        """The calendar from the chinese-calendar library, with configured years and districts on top."""
        library, library_years = library_rules()
        return cls(
            hours=hours,
            library=library,
            library_years=library_years,
            years=dict(years or {}),
            districts=dict(districts or {}),
        )

    def knows(self, year: int) -> bool:
        """Whether holiday data exists for ``year`` (configured or in the library)."""
        return year in self.years or year in self.library_years

    def is_working_day(self, day: date, district_id: str | None = None) -> bool:
        key = (district_id, day)
        known = self._memo.get(key)
        if known is None:
            known = self._decide(day, district_id)
            self._memo[key] = known
        return known

    def working_periods(
        self, day: date, district_id: str | None = None
    ) -> tuple[tuple[datetime, datetime], ...]:
        """The working periods of ``day`` in UTC: none on a day off. Memoised: deadlines ask for the
        same few days again and again."""
        key = (district_id, day)
        periods = self._periods_memo.get(key)
        if periods is None:
            periods = (
                tuple(
                    (opens.astimezone(UTC), closes.astimezone(UTC))
                    for opens, closes in self.hours.periods_on(day)
                )
                if self.is_working_day(day, district_id)
                else ()
            )
            self._periods_memo[key] = periods
        return periods

    def running_totals(self, district_id: str | None = None) -> RunningTotals:
        """The running totals of working time of ``district_id``'s days (``shared.worktime.totals``)."""
        totals = self._totals.get(district_id)
        if totals is None:
            totals = self._totals[district_id] = RunningTotals(
                lambda day: sum((end - start for start, end in self.working_periods(day, district_id)), _NONE)
            )
        return totals

    def _decide(self, day: date, district_id: str | None) -> bool:
        local = self.districts.get(district_id) if district_id is not None else None
        if local is not None:
            decided = local.decides(day)
            if decided is not None:
                return decided
        if day.year in self.years:
            return self.years[day.year].is_working_day(day)
        if day.year in self.library_years:
            return self.library.is_working_day(day)
        if day.year not in self._warned:
            self._warned.add(day.year)
            log.warning(
                "work calendar has no holiday data for %s: counting Monday to Friday as working days "
                "with no holidays; add the year's notice to city/calendar.yaml",
                day.year,
                extra={"year": day.year},
            )
        return day.weekday() < SATURDAY


def _length(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)
