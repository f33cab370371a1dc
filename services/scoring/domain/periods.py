"""Assessment periods: calendar months in the city's own timezone, written ``YYYY-MM``.

A case closed at 01:00 on 1 December in Yancheng belongs to December even though it is still
30 November in UTC: periods follow the city's wall clock, the one its bulletins are dated by.
Quarters and years come later; they are unions of months, so months are the unit everything is kept in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class InvalidPeriod(ValueError):
    """Text that is not a month written ``YYYY-MM``."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The instants [start, end) of this month on the city's wall clock, in UTC."""
        following = self.next()
        start = datetime(self.year, self.month, 1, tzinfo=tz)
        end = datetime(following.year, following.month, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_period(text: str) -> Period:
    match = _MONTH.fullmatch(text)
    if match is None:
        raise InvalidPeriod(f"period must be a month written YYYY-MM (e.g. 2026-11), not {text!r}")
    return Period(int(match.group(1)), int(match.group(2)))


def period_of(instant: datetime, tz: ZoneInfo) -> Period:
    """The month an instant falls in on the city's wall clock."""
    if instant.tzinfo is None:
        raise ValueError("an instant needs a timezone to have a period")
    local = instant.astimezone(tz)
    return Period(local.year, local.month)
