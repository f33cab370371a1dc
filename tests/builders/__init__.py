"""Events as the tests and benchmarks need them: realistic defaults, one keyword per varied field.

One set of builders for unit tests, integration tests and ``bench/``: a field added to an event is added
here once. Each builder takes keyword overrides for any of the event's fields.
"""

from tests.builders.cases import case_assigned, case_opened
from tests.builders.reports import report_submitted
from tests.builders.steps import (
    case_accepted,
    case_acted,
    case_closed,
    case_resolved,
    case_verification_failed,
    case_verified,
)
from tests.builders.times import at
from tests.builders.triage import report_merged, report_voided

__all__ = [
    "at",
    "case_accepted",
    "case_acted",
    "case_assigned",
    "case_closed",
    "case_opened",
    "case_resolved",
    "case_verification_failed",
    "case_verified",
    "report_merged",
    "report_submitted",
    "report_voided",
]
