"""Duty schedules: the weekly shifts a person works, and whether they are on duty at a moment.

A shift is a set of weekdays and a local start and end time, e.g. ``{days: [mon..fri], from: "08:30",
to: "17:30"}``. A shift whose end is not after its start runs overnight into the next day and belongs to
the day it starts on (a Friday night shift ``20:00``–``08:00`` covers Saturday 03:00). Pure: stdlib and
pydantic only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def _weekdays(value: object) -> object:
    """A list of day names in which ``a..b`` stands for every day from a to b (mon..fri)."""
    if not isinstance(value, list | tuple):
        return value
    if all(isinstance(item, str) for item in value):
        return _expanded(tuple(value))
    return _expand(value)


@functools.lru_cache(maxsize=256)
def _expanded(value: tuple[str, ...]) -> tuple[object, ...]:
    # A city of 100,000 grids has 300,000 people but only a handful of distinct shifts.
    return tuple(_expand(value))


def _expand(value: list[object] | tuple[object, ...]) -> list[object]:
    days: list[object] = []
    for item in value:
        if isinstance(item, str) and ".." in item:
            first, _, last = item.partition("..")
            if first not in DAYS or last not in DAYS:
                raise ValueError(f"{item!r} is not a range of days such as 'mon..fri'")
            start, end = DAYS.index(first), DAYS.index(last)
            days += [DAYS[(start + i) % 7] for i in range((end - start) % 7 + 1)]
        else:
            days.append(item)
    return days


def _checked_clock(text: object) -> int:
    if isinstance(text, int):  # YAML 1.1 reads an unquoted 12:00 as 720 (base 60)
        raise ValueError(f"{text} is not a time of day: write times in quotes, e.g. '12:00'")
    if not isinstance(text, str) or not _CLOCK.match(text):
        raise ValueError(f"{text!r} is not a time of day such as '08:30'")
    return _minutes(text)


@functools.lru_cache(maxsize=2048)
def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class Shift(BaseModel):
    """One weekly shift: on ``days``, from ``starts`` to ``ends`` local time (``from``/``to`` in files)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    # What ``covers`` compares, worked out once (assignment asks per report for each worker of a grid): in
    # slots, unannotated, so that pydantic neither validates them nor reads them through __getattr__.
    __slots__ = ("_on_weekdays", "_span")

    days: Annotated[tuple[str, ...], BeforeValidator(_weekdays), Field(min_length=1)]
    starts: str = Field(alias="from")
    ends: str = Field(alias="to")

    def model_post_init(self, context: Any, /) -> None:
        self._span = (_minutes(self.starts), _minutes(self.ends))
        self._on_weekdays = frozenset(DAYS.index(day) for day in self.days)

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [day for day in days if day not in DAYS]
        if unknown:
            raise ValueError(f"unknown day {unknown[0]!r}; days are {', '.join(DAYS)}")
        return days

    @field_validator("starts", "ends", mode="before")
    @classmethod
    def _clock(cls, text: object) -> object:
        _checked_clock(text)
        return text

    def covers(self, local: datetime) -> bool:
        """Whether this shift covers the local wall-clock moment (its time zone already applied)."""
        start, end = self._span
        now = local.hour * 60 + local.minute
        today = local.weekday()
        if start < end:
            return today in self._on_weekdays and start <= now < end
        # Overnight (or round the clock when start == end): the evening part today, the morning part
        # belongs to the shift that started yesterday.
        return (today in self._on_weekdays and now >= start) or (
            (today - 1) % 7 in self._on_weekdays and now < end
        )


def on_duty(shifts: Iterable[Shift], local: datetime) -> bool:
    """Whether any shift covers the moment; no shifts at all means always on duty."""
    shifts = tuple(shifts)
    return not shifts or any(shift.covers(local) for shift in shifts)
