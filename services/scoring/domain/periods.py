"""Assessment periods on the city's clock: months (``2026-11``), quarters (``2026-Q4``), years (``2026``).

A case closed at 01:00 on 1 December in Yancheng belongs to December even though it is still
30 November in UTC: periods follow the city's wall clock, the one its bulletins are dated by.

Quarters and years are counted in their own right, not summed from months: a case due in November and
closed in December is due once in the fourth quarter, where summing its two months would count it twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
# The text of any period, for models and the database.
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


class InvalidPeriod(ValueError):
    """Text that is not a period written ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``."""


@dataclass(frozen=True, order=True)
class Period:
    """A month (number 1–12), a quarter (1–4) or a year (number 1)."""

    year: int
    number: int
    kind: PeriodKind = "month"

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @property
    def first_month(self) -> int:
        return {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    def next(self) -> Period:
        last = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if self.number == last:
            return Period(self.year + 1, 1, self.kind)
        return Period(self.year, self.number + 1, self.kind)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The instants [start, end) of this period on the city's wall clock, in UTC."""
        following = self.next()
        start = datetime(self.year, self.first_month, 1, tzinfo=tz)
        end = datetime(following.year, following.first_month, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_period(text: str) -> Period:
    if match := _MONTH.fullmatch(text):
        return Period(int(match.group(1)), int(match.group(2)), "month")
    if match := _QUARTER.fullmatch(text):
        return Period(int(match.group(1)), int(match.group(2)), "quarter")
    if match := _YEAR.fullmatch(text):
        return Period(int(match.group(1)), 1, "year")
    raise InvalidPeriod(
        f"period must be a month written YYYY-MM (e.g. 2026-11), a quarter YYYY-Qn (2026-Q4) "
        f"or a year YYYY (2026), not {text!r}"
    )


def period_of(instant: datetime, tz: ZoneInfo, kind: PeriodKind = "month") -> Period:
    """The period of the given kind an instant falls in on the city's wall clock."""
    if instant.tzinfo is None:
        raise ValueError("an instant needs a timezone to have a period")
    local = instant.astimezone(tz)
    if kind == "month":
        return Period(local.year, local.month, "month")
    if kind == "quarter":
        return Period(local.year, (local.month - 1) // 3 + 1, "quarter")
    return Period(local.year, 1, "year")


def periods_of(instant: datetime, tz: ZoneInfo) -> tuple[Period, ...]:
    """The month, quarter and year an instant falls in."""
    return tuple(period_of(instant, tz, kind) for kind in PERIOD_KINDS)


def due_to_close(periods: Iterable[str], now: datetime, tz: ZoneInfo, grace: timedelta) -> list[str]:
    """The periods, in order, whose results are final by ``now``: ``grace`` has passed since each ended on
    the city's clock (late closures, reworks and appeals of its cases count until then)."""
    return sorted(period for period in periods if parse_period(period).bounds(tz)[1] + grace <= now)
