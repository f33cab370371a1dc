"""Scoring's unit-test cast: one case (``CASE``) in grid-a held by worker-li, its facts, and its events
in November 2026 (built by ``tests/builders``) with the times written as text, one line per varied field."""

from __future__ import annotations

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
from shared.events.reports import SourceType
from shared.events.triage import ReportMergedIntoCase, ReportVoided
from tests.builders import (
    at,
    case_accepted,
    case_assigned,
    case_closed,
    case_opened,
    case_resolved,
    case_verification_failed,
    report_merged,
    report_voided,
)

CASE = UUID("0b5c1b6e-9a0e-4a51-8d3f-1f1b1c2d3e4f")


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
    return case_opened(
        now=at("2026-11-10T01:00"),
        case_id=case_id,
        grid_id=grid_id,
        community_id="community-a" if grid_id else None,
        street_id="street-a" if grid_id else None,
        district_id="district-a" if grid_id else None,
        reporter_id="resident-1",
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
    return case_assigned(
        now=at(at_),
        case_id=case_id,
        assignee_id=assignee_id,
        assignee_role=assignee_role,
        unit_id=unit_id or grid_id or "community-a",
        grid_id=grid_id,
        resolve_by=at(resolve_by or close_by),
        close_by=at(close_by),
    )


def accepted(
    *, holder_id: str = "worker-li", close_by: str = "2026-11-20T09:00", case_id: UUID = CASE
) -> CaseAccepted:
    return case_accepted(
        now=at("2026-11-10T02:00"),
        case_id=case_id,
        actor_id=holder_id,
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
    return case_resolved(
        now=at(at_), case_id=case_id, actor_id=holder_id, holder_id=holder_id, close_by=at(close_by)
    )


def closed(
    *,
    at_: str = "2026-11-12T02:00",
    holder_id: str = "worker-li",
    close_by: str = "2026-11-20T09:00",
    case_id: UUID = CASE,
) -> CaseClosed:
    """Closed by grid chief chief-wang."""
    return case_closed(
        now=at(at_), case_id=case_id, actor_id="chief-wang", holder_id=holder_id, close_by=at(close_by)
    )


def failed_verification(
    *, at_: str = "2026-11-11T05:00", holder_id: str = "worker-li", close_by: str = "2026-11-20T09:00"
) -> CaseVerificationFailed:
    return case_verification_failed(
        now=at(at_), case_id=CASE, actor_id="chief-wang", holder_id=holder_id, close_by=at(close_by)
    )


def merged(
    *,
    reporter_id: str = "rider-7",
    source_type: SourceType = "delivery_rider",
    at_: str = "2026-11-10T03:00",
    case_id: UUID = CASE,
) -> ReportMergedIntoCase:
    """A duplicate report joining the case (a rider's, by default)."""
    return report_merged(now=at(at_), case_id=case_id, reporter_id=reporter_id, source_type=source_type)


def voided(*, reporter_id: str = "rider-7", at_: str = "2026-11-30T17:00") -> ReportVoided:
    """A rider's report dispatch voided."""
    return report_voided(now=at(at_), reporter_id=reporter_id)
