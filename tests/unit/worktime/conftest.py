"""The national calendar with the default working hours, and local-time helpers for worktime's tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.worktime import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL = WorkCalendar.national()
HOUR = timedelta(hours=1)
WORKING_DAY = timedelta(hours=7)  # 08:30-12:00 and 14:00-17:30


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant on the city's local clock."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
