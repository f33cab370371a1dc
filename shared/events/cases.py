"""Case lifecycle events: opened and assigned by dispatch, the rest by handling's outbox.

All are keyed by case id, so one case's history is totally ordered on the case-events topic. Handling's
events name the ``holder_id`` (who held the case at that moment) so scoring can attribute outcomes
without keeping its own copy of the assignment history.

Deadlines, set by dispatch from the time-limit matrix and the work calendar (``shared.worktime``):
``accept_by`` (sign for), ``resolve_by`` (handle), ``close_by`` (close), all counted from dispatch, and
``yellow_at`` / ``red_at``, when the handling clock (dispatch → ``resolve_by``) turns yellow and red, for
the supervision timers. ``accept_by``, ``yellow_at`` and ``red_at`` are optional only so that events
published before they existed still decode; dispatch always fills them.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.events.base import Event
from shared.events.reports import GeoPoint, SourceType

Tier = Literal["grid", "community", "street", "district"]
Priority = Literal["normal", "urgent"]
Nature = Literal["hazard", "need", "dispute", "public_facility", "event"]


class CaseEvent(Event):
    case_id: UUID
    occurred_at: AwareDatetime

    def partition_key(self) -> str:
        return str(self.case_id)


class CaseOpened(CaseEvent):
    event_type: ClassVar[str] = "gridloop.case.opened.v1"

    report_id: UUID
    category: str
    nature: Nature
    priority: Priority
    tier: Tier
    location: GeoPoint
    description: str
    # None when the location fell outside every grid: the case waits for manual triage.
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    district_id: str | None
    department_id: str | None
    source_type: SourceType
    reporter_id: str
    app_id: str
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    accept_by: AwareDatetime | None = None
    yellow_at: AwareDatetime | None = None
    red_at: AwareDatetime | None = None


class CaseAssigned(CaseEvent):
    event_type: ClassVar[str] = "gridloop.case.assigned.v1"

    assignee_id: str
    assignee_role: str
    tier: Tier
    unit_id: str
    # Who verifies the resolution: never the assignee (DOMAIN.md, verification and closing).
    verifier_id: str
    grid_id: str | None
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    accept_by: AwareDatetime | None = None
    yellow_at: AwareDatetime | None = None
    red_at: AwareDatetime | None = None


class CaseActed(CaseEvent):
    """An action a person took on a case through handling."""

    actor_id: str
    actor_role: str
    holder_id: str
    close_by: AwareDatetime
    note: str | None = Field(default=None, max_length=2000)


class CaseAccepted(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.accepted.v1"


class CaseResolved(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.resolved.v1"

    evidence: tuple[str, ...] = ()


class CaseVerified(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.verified.v1"


class CaseVerificationFailed(CaseActed):
    """Verification on site failed: the case goes back to its holder for rework."""

    event_type: ClassVar[str] = "gridloop.case.verification_failed.v1"

    rework_of: str


class CaseClosed(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.closed.v1"

    outcome: Literal["resolved"] = "resolved"
