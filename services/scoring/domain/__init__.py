"""Scoring's pure domain: periods, case facts, attribution, counting, indicators and the rubric."""

from services.scoring.domain.attribution import (
    SUBJECT_TYPES,
    InvalidSubjectType,
    Subject,
    parse_subject_type,
)
from services.scoring.domain.counters import COUNTERS, NO_CASES
from services.scoring.domain.counting import Key, changes, contributions, count
from services.scoring.domain.facts import CaseFact, UnknownCase, advance_clock, with_ancestry
from services.scoring.domain.indicators import CATALOGUE, percentage
from services.scoring.domain.periods import PERIOD_KINDS, InvalidPeriod, Period, parse_period, period_of
from services.scoring.domain.rubric import Assessment, Rubric, assess
from services.scoring.domain.transitions import apply_event

__all__ = [
    "CATALOGUE",
    "COUNTERS",
    "NO_CASES",
    "PERIOD_KINDS",
    "SUBJECT_TYPES",
    "Assessment",
    "CaseFact",
    "InvalidPeriod",
    "InvalidSubjectType",
    "Key",
    "Period",
    "Rubric",
    "Subject",
    "UnknownCase",
    "advance_clock",
    "apply_event",
    "assess",
    "changes",
    "contributions",
    "count",
    "parse_period",
    "parse_subject_type",
    "percentage",
    "period_of",
    "with_ancestry",
]
