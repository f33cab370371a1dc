"""Scoring's pure domain: periods, case facts, attribution, closure counters and indicators."""

from services.scoring.domain.attribution import SUBJECT_TYPES, Subject, subjects_of
from services.scoring.domain.closure import NO_CASES, affected_results, contributions, count
from services.scoring.domain.facts import CaseFact, UnknownCase, apply_event
from services.scoring.domain.indicators import Indicators, indicators_of, percentage
from services.scoring.domain.periods import InvalidPeriod, Period, parse_period, period_of

__all__ = [
    "NO_CASES",
    "SUBJECT_TYPES",
    "CaseFact",
    "Indicators",
    "InvalidPeriod",
    "Period",
    "Subject",
    "UnknownCase",
    "affected_results",
    "apply_event",
    "contributions",
    "count",
    "indicators_of",
    "parse_period",
    "percentage",
    "period_of",
    "subjects_of",
]
