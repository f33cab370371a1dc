"""The national calendar with the default working hours, local-time helpers and a category for worktime's
tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.city import Category
from shared.worktime import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL = WorkCalendar.national()
HOUR = timedelta(hours=1)
WORKING_DAY = timedelta(hours=7)  # 08:30-12:00 and 14:00-17:30

# A grid-tier category with a one-day resolution and two-day closing limit.
GARBAGE = Category(
    code="city_appearance.garbage_overflow",
    name="Garbage overflow",
    name_zh="垃圾满溢",
    nature="event",
    default_tier="grid",
    department_id=None,
    priority="normal",
    resolve_within="P1D",
    close_within="P2D",
)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant on the city's local clock."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
