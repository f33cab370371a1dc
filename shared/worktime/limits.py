"""A time limit as the configuration writes it (ISO-8601), and how much working time it stands for.

The unit a limit is written in carries meaning: ``P2D`` is two working days and ``PT4H`` four working
hours on the work calendar, while a limit written with minutes (``PT30M``, ``PT1H30M``) is meant for
urgent matters and runs on the wall clock. A working day is the day's working hours (7 h with the
default 08:30–12:00 and 14:00–17:30), so ``P1D`` and ``PT7H`` are the same amount of working time.
A week (``P1W``) is five working days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

_ISO_LIMIT = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
WORKING_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class Limit:
    """A positive ISO-8601 duration, kept with the units it was written in."""

    text: str
    weeks: int
    days: int
    hours: int
    minutes: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """The limit ``text`` (e.g. ``P2D``, ``PT4H``, ``PT30M``); ValueError if it is not one or is zero."""
        return _parse(text)

    @classmethod
    def _parse(cls, text: str) -> Limit:
        match = _ISO_LIMIT.match(text) if isinstance(text, str) else None
        if match is None or text in ("P", "PT") or text.endswith("T"):
            raise ValueError(f"{text!r} is not an ISO-8601 duration such as P2D, PT4H or PT30M")
        weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        limit = cls(text, weeks, days, hours, minutes, seconds)
        if limit.wall_clock_length() <= timedelta(0):
            raise ValueError(f"limit {text!r} must be longer than zero")
        return limit

    @property
    def written_in_minutes(self) -> bool:
        """Written with minutes or seconds: an urgent limit, meant for the wall clock."""
        return bool(self.minutes or self.seconds)

    def wall_clock_length(self) -> timedelta:
        """The limit on the wall clock, a day being 24 hours (what demo time and urgent limits use).

        Weeks count seven days here, as on any calendar.
        """
        return timedelta(
            weeks=self.weeks, days=self.days, hours=self.hours, minutes=self.minutes, seconds=self.seconds
        )

    def working_length(self, working_day: timedelta) -> timedelta:
        """The working time the limit stands for, a day being ``working_day`` of working hours."""
        working_days = self.weeks * WORKING_DAYS_PER_WEEK + self.days
        return working_days * working_day + timedelta(
            hours=self.hours, minutes=self.minutes, seconds=self.seconds
        )

    def comparable_length(self, working_day: timedelta) -> timedelta:
        """A length to compare limits of the same kind by (working time, or wall clock for minute limits)."""
        return self.wall_clock_length() if self.written_in_minutes else self.working_length(working_day)

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=1024)
def _parse(text: str) -> Limit:
    # Limits are parsed per case from the catalogue's few distinct texts: parse each once.
    return Limit._parse(text)
