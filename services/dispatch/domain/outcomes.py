"""A report's triage outcome — its own case, a merge into an open case, or a void — and the events of
the two outcomes other than a new case (a new case's are ``dispatching.dispatch_report``'s).

Like the opening events, their ids derive from the report (and the case it joined), so a report processed
again yields the very same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.dispatch.domain.dispatching import OutgoingEvent
from services.dispatch.domain.jurisdiction import Jurisdiction
from shared.events import derived_id
from shared.events.cases import Priority
from shared.events.reports import ReportSubmitted
from shared.events.triage import ReportMergedIntoCase, ReportVoided, VoidReason


@dataclass(frozen=True, slots=True)
class Opened:
    case_id: UUID
    # Whom dispatch assigned it to (None: unlocated, for manual triage). Remembered with the outcome, since
    # the workload that chose them moves on: a reprocessed report must go to the same person.
    assignee_id: str | None = None


@dataclass(frozen=True, slots=True)
class Merged:
    case_id: UUID
    case_report_id: UUID
    distance_m: float


@dataclass(frozen=True, slots=True)
class Voided:
    reason: VoidReason
    detail: str


Outcome = Opened | Merged | Voided


def merged_events(
    report: ReportSubmitted, merged: Merged, *, dispatched_at: datetime, priority: Priority
) -> list[OutgoingEvent]:
    assert report.location is not None  # only a report with a point merges (triage.py)
    event = ReportMergedIntoCase(
        case_id=merged.case_id,
        occurred_at=dispatched_at,
        report_id=report.report_id,
        case_report_id=merged.case_report_id,
        category=report.category,
        source_type=report.source_type,
        reporter_id=report.reporter_id,
        app_id=report.app_id,
        description=report.description,
        location=report.location,
        distance_m=merged.distance_m,
        submitted_at=dispatched_at,
        priority=priority,
    )
    return [OutgoingEvent(derived_id(merged.case_id, "merged", report.report_id), event)]


def voided_events(
    report: ReportSubmitted, voided: Voided, *, where: Jurisdiction, dispatched_at: datetime
) -> list[OutgoingEvent]:
    event = ReportVoided(
        report_id=report.report_id,
        occurred_at=dispatched_at,
        reason=voided.reason,
        detail=voided.detail[:500],
        category=report.category,
        source_type=report.source_type,
        reporter_id=report.reporter_id,
        app_id=report.app_id,
        location=report.location,
        grid_id=where.grid_id,
        district_id=where.district_id,
    )
    return [OutgoingEvent(derived_id("voided", report.report_id), event)]
