"""The bodies of scoring's HTTP responses (every route is a read; none takes a body)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from shared.events.assessments import AssessmentCounters, IndicatorValue, PeriodKind, SubjectType

# --- assessments and rankings ----------------------------------------------------------------------


class Assessment(BaseModel):
    subject_type: SubjectType
    subject_id: str
    name: str | None
    period: str
    period_kind: PeriodKind
    counters: AssessmentCounters
    closure_rate: str | None
    on_time_closure_rate: str | None
    score: str | None
    grade: str | None
    rubric_version: str
    computed_at: datetime


class Ranking(BaseModel):
    period: str
    subject_type: SubjectType
    total: int
    limit: int
    offset: int
    items: list[Assessment]


class RankedAssessment(Assessment):
    rank: int | None
    indicators: list[IndicatorValue]


class Rankings(BaseModel):
    level: SubjectType
    period: str
    rubric_version: str
    total: int
    limit: int
    offset: int
    items: list[RankedAssessment]


class AssessmentDetail(Assessment):
    indicators: list[IndicatorValue]
    # counter name → the ids of the cases that add to it
    cases: dict[str, list[UUID]]


class Periods(BaseModel):
    periods: list[str]
    # Those whose results are final (closed GRIDLOOP_SCORING_PERIOD_GRACE_DAYS after they ended).
    closed: list[str] = []


# --- analysis --------------------------------------------------------------------------------------

UnitType = Literal["grid", "community", "street", "district"]


class TrendPoint(BaseModel):
    period: str
    # cases opened in the period, those of them repeating a recently closed case, cases closed in it
    opened: int
    recurring: int
    closed: int


class Trend(BaseModel):
    kind: PeriodKind
    category: str | None
    unit_type: UnitType | None
    unit_id: str | None
    items: list[TrendPoint]


class Alert(BaseModel):
    """A hotspot (a category spiking in a grid) or a recurrence (a case repeating one closed nearby)."""

    kind: Literal["hotspot", "recurrence"]
    category: str
    grid_id: str | None
    raised_at: datetime
    # A recurrence: the case, where it is, and the closed case it repeats.
    case_id: UUID | None = None
    repeats: UUID | None = None
    lon: float | None = None
    lat: float | None = None


class Alerts(BaseModel):
    items: list[Alert]


# --- reporter credit -------------------------------------------------------------------------------


class VanguardEntry(BaseModel):
    rank: int
    reporter: str
    source_type: str
    reporter_id: str
    reports: int
    valid_reports: int
    valid_report_rate: str | None
    service_hours: str
    vanguard_index: str


class VanguardRanking(BaseModel):
    period: str
    rules_version: str
    items: list[VanguardEntry]


class VolunteerYear(BaseModel):
    person_id: str
    name: str | None
    service_hours: str
    target_hours: str
    met: bool
    shortfall_hours: str


class VolunteerHours(BaseModel):
    year: str
    rules_version: str
    items: list[VolunteerYear]
