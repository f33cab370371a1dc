"""What ``city/calendar.yaml`` and ``city/time_limits.yaml`` look like. Pure: decoded documents in."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.city import Priority
from shared.worktime.limits import Limit

_PERIOD = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _period(text: str) -> str:
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a working period such as 08:30-12:00")
    try:
        start, end = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
    except ValueError:
        raise ValueError(f"{text!r} names a time of day that does not exist") from None
    if not start < end:
        raise ValueError(f"working period {text!r} ends before it starts")
    return text


def _limit(text: str) -> str:
    Limit.parse(text)
    return text


Period = Annotated[str, AfterValidator(_period)]
LimitText = Annotated[str, AfterValidator(_limit)]


def period_times(text: str) -> tuple[time, time]:
    match = _PERIOD.match(text)
    assert match is not None  # validated by Period
    return time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))


class Days(Entry):
    """Days off and the weekend days made working days (调休)."""

    holidays: tuple[date, ...] = ()
    working_days: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _no_day_both_ways(self) -> Days:
        both = sorted(set(self.holidays) & set(self.working_days))
        if both:
            raise ValueError(f"{', '.join(map(str, both))} listed both as holiday and as working day")
        return self


class YearEntry(Days):
    year: int = Field(ge=1900, le=2999)

    @model_validator(mode="after")
    def _days_in_the_year(self) -> YearEntry:
        stray = sorted(day for day in (*self.holidays, *self.working_days) if day.year != self.year)
        if stray:
            raise ValueError(f"{', '.join(map(str, stray))} not in year {self.year}")
        return self


class DistrictEntry(Days):
    district_id: str


class CalendarFile(Entry):
    timezone: str | None = None
    working_hours: tuple[Period, ...] = Field(default=("08:30-12:00", "14:00-17:30"), min_length=1)
    years: tuple[YearEntry, ...] = ()
    districts: tuple[DistrictEntry, ...] = ()


class ThresholdsEntry(Entry):
    yellow: float | None = Field(default=None, gt=0)
    red: float | None = Field(default=None, gt=0)


class StageLimits(Entry):
    accept: LimitText | None = None
    handle: LimitText | None = None
    verify: LimitText | None = None
    close: LimitText | None = None


class TierLimits(Entry):
    grid: StageLimits | None = None
    community: StageLimits | None = None
    street: StageLimits | None = None
    district: StageLimits | None = None


class CategoryEntry(Entry):
    category: str
    thresholds: ThresholdsEntry | None = None
    limits: TierLimits = TierLimits()


class PriorityLimits(Entry):
    normal: LimitText | None = None
    urgent: LimitText | None = None


class StageDefaults(Entry):
    accept: PriorityLimits = PriorityLimits()
    verify: PriorityLimits = PriorityLimits()


class WallClockEntry(Entry):
    priorities: tuple[Priority, ...] = ("urgent",)
    minute_limits: bool = True


class TimeLimitsFile(Entry):
    thresholds: ThresholdsEntry = ThresholdsEntry()
    wall_clock: WallClockEntry = WallClockEntry()
    stage_defaults: StageDefaults = StageDefaults()
    categories: tuple[CategoryEntry, ...] = ()
