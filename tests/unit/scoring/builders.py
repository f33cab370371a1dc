"""Case events and facts as the tests need them: realistic defaults, one line per varied field."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from services.scoring.domain import CaseFact
from services.scoring.domain.facts import Tenure
from shared.events.cases import (
    CaseAccepted,
    CaseAssigned,
    CaseClosed,
    CaseOpened,
    CaseResolved,
    CaseVerificationFailed,
)
from shared.events.reports import GeoPoint, SourceType
from shared.events.triage import ReportMergedIntoCase, ReportVoided

CASE = UUID("0b5c1b6e-9a0e-4a51-8d3f-1f1b1c2d3e4f")


def at(text: str) -> datetime:
    """An instant written in UTC, e.g. ``at("2026-11-30T17:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def tenure(
    holder_id: str,
    since: str = "2026-11-10T01:05",
    role: str | None = "grid_worker",
    unit_id: str | None = None,
) -> Tenure:
    return Tenure(since=at(since), holder_id=holder_id, role=role, unit_id=unit_id)


def fact(
    *,
    holder_id: str | None = "worker-li",
    holder_role: str | None = "grid_worker",
    grid_id: str | None = "grid-a",
    close_by: str = "2026-11-20T09:00",
    closed_at: str | None = None,
    resolve_by: str | None = None,
    resolved_at: str | None = None,
    tenures: tuple[Tenure, ...] | None = None,
    clock: str = "2026-11-10T01:05",
    places: bool = False,
) -> CaseFact:
    """A case held by one person since dispatch; ``places`` also puts it in a community, street, district."""
    if tenures is None:
        tenures = () if holder_id is None else (tenure(holder_id, role=holder_role),)
    return CaseFact(
        case_id=uuid4(),
        grid_id=grid_id,
        community_id="community-a" if places else None,
        street_id="street-a" if places else None,
        district_id="district-a" if places else None,
        tenures=tenures,
        resolve_by=at(resolve_by or close_by),
        close_by=at(close_by),
        resolved_at=at(resolved_at) if resolved_at else None,
        closed_at=at(closed_at) if closed_at else None,
        clock=at(clock),
    )


def opened(
    *, grid_id: str | None = "grid-a", close_by: str = "2026-11-20T09:00", case_id: UUID = CASE
) -> CaseOpened:
    return CaseOpened(
        case_id=case_id,
        occurred_at=at("2026-11-10T01:00"),
        report_id=uuid4(),
        category="environment.rubbish",
        nature="event",
        priority="normal",
        tier="grid",
        location=GeoPoint(lon=120.16, lat=33.35),
        description="Rubbish piling up by the east gate",
        grid_id=grid_id,
        community_id="community-a" if grid_id else None,
        street_id="street-a" if grid_id else None,
        district_id="district-a" if grid_id else None,
        department_id=None,
        source_type="resident",
        reporter_id="resident-1",
        app_id="app-residents",
        resolve_by=at(close_by),
        close_by=at(close_by),
    )


def assigned(
    *,
    at_: str = "2026-11-10T01:05",
    assignee_id: str = "worker-li",
    assignee_role: str = "grid_worker",
    grid_id: str | None = "grid-a",
    close_by: str = "2026-11-20T09:00",
    resolve_by: str | None = None,
    unit_id: str | None = None,
    case_id: UUID = CASE,
) -> CaseAssigned:
    return CaseAssigned(
        case_id=case_id,
        occurred_at=at(at_),
        assignee_id=assignee_id,
        assignee_role=assignee_role,
        tier="grid",
        unit_id=unit_id or grid_id or "community-a",
        verifier_id="chief-wang",
        grid_id=grid_id,
        resolve_by=at(resolve_by or close_by),
        close_by=at(close_by),
    )


def accepted(
    *, holder_id: str = "worker-li", close_by: str = "2026-11-20T09:00", case_id: UUID = CASE
) -> CaseAccepted:
    return CaseAccepted(
        case_id=case_id,
        occurred_at=at("2026-11-10T02:00"),
        actor_id=holder_id,
        actor_role="grid_worker",
        holder_id=holder_id,
        close_by=at(close_by),
    )


def resolved(
    *,
    at_: str = "2026-11-11T02:00",
    holder_id: str = "worker-li",
    close_by: str = "2026-11-20T09:00",
    case_id: UUID = CASE,
) -> CaseResolved:
    return CaseResolved(
        case_id=case_id,
        occurred_at=at(at_),
        actor_id=holder_id,
        actor_role="grid_worker",
        holder_id=holder_id,
        close_by=at(close_by),
        evidence=("https://media.example/after.jpg",),
    )


def closed(
    *,
    at_: str = "2026-11-12T02:00",
    holder_id: str = "worker-li",
    close_by: str = "2026-11-20T09:00",
    case_id: UUID = CASE,
) -> CaseClosed:
    return CaseClosed(
        case_id=case_id,
        occurred_at=at(at_),
        actor_id="chief-wang",
        actor_role="grid_chief",
        holder_id=holder_id,
        close_by=at(close_by),
    )


def failed_verification(
    *, at_: str = "2026-11-11T05:00", holder_id: str = "worker-li", close_by: str = "2026-11-20T09:00"
) -> CaseVerificationFailed:
    return CaseVerificationFailed(
        case_id=CASE,
        occurred_at=at(at_),
        actor_id="chief-wang",
        actor_role="grid_chief",
        holder_id=holder_id,
        close_by=at(close_by),
        rework_of="resolution-event-id",
    )


def merged(
    *,
    reporter_id: str = "rider-7",
    source_type: SourceType = "delivery_rider",
    at_: str = "2026-11-10T03:00",
    case_id: UUID = CASE,
) -> ReportMergedIntoCase:
    """A duplicate report joining the case (a rider's, by default)."""
    return ReportMergedIntoCase(
        case_id=case_id,
        occurred_at=at(at_),
        report_id=uuid4(),
        case_report_id=uuid4(),
        category="environment.rubbish",
        source_type=source_type,
        reporter_id=reporter_id,
        app_id="rider-app",
        description="the same overflowing bin",
        location=GeoPoint(lon=120.16, lat=33.35),
        distance_m=12.0,
        submitted_at=at(at_),
        priority="normal",
    )


def voided(*, reporter_id: str = "rider-7", at_: str = "2026-11-30T17:00") -> ReportVoided:
    """A rider's report dispatch voided."""
    return ReportVoided(
        report_id=uuid4(),
        occurred_at=at(at_),
        reason="blocked_words",
        detail="advertising",
        category="environment.rubbish",
        source_type="delivery_rider",
        reporter_id=reporter_id,
        app_id="rider-app",
        location=GeoPoint(lon=120.16, lat=33.35),
        grid_id=None,
        district_id=None,
    )
