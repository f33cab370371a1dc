"""Working time: the work calendar, the time-limit matrix, deadlines and traffic lights.

``load_worktime(city_dir, city=...)`` reads ``calendar.yaml`` and ``time_limits.yaml``;
``add_working_time`` and ``working_time_between`` count working hours on the calendar; ``due_after``
places a limit on a clock with its yellow and red moments; ``traffic_light`` says which light a case
shows now. Everything but the loader is pure.
"""

from shared.worktime.clock import add_working_time, working_time_between
from shared.worktime.lights import Clock, Due, clock_for, due_after, traffic_light
from shared.worktime.limits import Limit
from shared.worktime.loader import CALENDAR_FILE, TIME_LIMITS_FILE, load_worktime
from shared.worktime.matrix import (
    STAGES,
    Light,
    Stage,
    Thresholds,
    TimeLimitMatrix,
    WallClockRule,
)
from shared.worktime.workcalendar import DEFAULT_WORKING_HOURS, DayRules, WorkCalendar, WorkingHours
from shared.worktime.worktime import Placed, WorkTime

__all__ = [
    "CALENDAR_FILE",
    "DEFAULT_WORKING_HOURS",
    "STAGES",
    "TIME_LIMITS_FILE",
    "Clock",
    "DayRules",
    "Due",
    "Light",
    "Limit",
    "Placed",
    "Stage",
    "Thresholds",
    "TimeLimitMatrix",
    "WallClockRule",
    "WorkCalendar",
    "WorkTime",
    "WorkingHours",
    "add_working_time",
    "clock_for",
    "due_after",
    "load_worktime",
    "traffic_light",
    "working_time_between",
]
