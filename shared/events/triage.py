"""Triage outcomes other than a new case: a report merged into an open case, or a report voided.

Both travel on the case-events topic beside ``CaseOpened``, so every report dispatch takes ends in exactly
one of three events there: ``CaseOpened`` (its own case), ``ReportMergedIntoCase`` (a duplicate joining an
open case; keyed by that case, ordered after its opening) or ``ReportVoided`` (never a case; keyed by the
report id, since no case exists).
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.events.base import Event
from shared.events.cases import CaseEvent, Priority
from shared.events.reports import GeoPoint, SourceType

VoidReason = Literal["category_unknown", "category_inactive", "blocked_words", "too_many_reports"]


class ReportMergedIntoCase(CaseEvent):
    """A duplicate report joined an open case of the same category nearby; its reporter is credited."""

    event_type: ClassVar[str] = "gridloop.case.report_merged.v1"

    report_id: UUID
    # The report that opened the case, so consumers need not look it up to tell the two apart.
    case_report_id: UUID
    category: str
    source_type: SourceType
    reporter_id: str
    app_id: str
    description: str
    # Always a point: only a report with one merges (by radius); an address-only report opens its own case.
    location: GeoPoint
    # How far the duplicate lies from the case's location, and how long after its opening it came.
    distance_m: float = Field(ge=0)
    submitted_at: AwareDatetime
    # The priority this report alone would have had: a sensor alarm joining a normal case says so.
    priority: Priority


class ReportVoided(Event):
    """A report that will never be a case (out of scope, or spam by the city's rules), with the reason."""

    event_type: ClassVar[str] = "gridloop.report.voided.v1"

    report_id: UUID
    occurred_at: AwareDatetime
    reason: VoidReason
    detail: str = Field(max_length=500)
    category: str
    source_type: SourceType
    reporter_id: str
    app_id: str
    # None for a report that gave only an address; optional, so events written before it existed decode.
    location: GeoPoint | None
    grid_id: str | None
    district_id: str | None

    def partition_key(self) -> str:
        return str(self.report_id)
