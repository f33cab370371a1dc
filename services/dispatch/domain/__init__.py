"""Dispatch's pure domain: locate, classify, set deadlines, choose who handles and who verifies.

No Kafka, HTTP or database here: functions over the city's data and the report, returning the events
to emit. The later rules (duplicate merge, least-loaded assignment, the working-day calendar and the
time-limit matrix) replace single functions in this package without changing the shape of the rest.
"""

from services.dispatch.domain.assignment import Assignment, assign, pick_stably
from services.dispatch.domain.deadlines import Deadlines, deadlines_for
from services.dispatch.domain.dispatching import (
    OutgoingEvent,
    UnknownCategory,
    case_id_for,
    dispatch_clock,
    dispatch_report,
)
from services.dispatch.domain.jurisdiction import UNLOCATED, Jurisdiction, locate

__all__ = [
    "UNLOCATED",
    "Assignment",
    "Deadlines",
    "Jurisdiction",
    "OutgoingEvent",
    "UnknownCategory",
    "assign",
    "case_id_for",
    "deadlines_for",
    "dispatch_clock",
    "dispatch_report",
    "locate",
    "pick_stably",
]
