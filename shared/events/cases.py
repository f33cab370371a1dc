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
    # None for a report that gave only an address; optional, so events written before it existed decode.
    location: GeoPoint | None
    description: str
    # None when the report lies in no grid (no point, or a point outside every grid): the case is
    # placed in its community by the address, or waits for manual triage.
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
    """An action a person (or handling's own timers, ``actor_role`` "system") took on a case.

    ``holder_id`` is who holds the case after the step; steps that hand it over also name the
    ``previous_holder_id``. ``tier``, ``resolve_by``, ``from_state`` and ``to_state`` were added later
    (optional, so older events still decode; handling always fills them).
    """

    actor_id: str
    actor_role: str
    holder_id: str
    close_by: AwareDatetime
    note: str | None = Field(default=None, max_length=2000)
    tier: Tier | None = None
    resolve_by: AwareDatetime | None = None
    from_state: str | None = None
    to_state: str | None = None


class CaseAccepted(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.accepted.v1"


class CaseResolved(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.resolved.v1"

    evidence: tuple[str, ...] = ()


class CaseVerified(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.verified.v1"

    evidence: tuple[str, ...] = ()


class CaseVerificationFailed(CaseActed):
    """Verification on site failed: the case goes back to its holder for rework."""

    event_type: ClassVar[str] = "gridloop.case.verification_failed.v1"

    rework_of: str
    evidence: tuple[str, ...] = ()


class CaseClosed(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.closed.v1"

    outcome: Literal["resolved"] = "resolved"


class CaseStarted(CaseActed):
    """The holder started work on a case they signed for (in progress)."""

    event_type: ClassVar[str] = "gridloop.case.started.v1"


RequestKind = Literal["return", "extension", "deferral", "void", "appeal"]


class CaseRequestMade(CaseActed):
    """The holder asked for approval: a return, an extension, a deferral, a void or a timeout appeal.

    The reason is ``note``; an extension's ``length`` is ISO-8601 (P2D = two working days); a deferral
    runs ``until``; an appeal carries ``evidence``.
    """

    event_type: ClassVar[str] = "gridloop.case.request_made.v1"

    kind: RequestKind
    length: str | None = None
    until: AwareDatetime | None = None
    evidence: tuple[str, ...] = ()


class CaseRequestDecided(CaseActed):
    """A request was approved or rejected. ``requested_by`` is whom it counts for (e.g. extensions);
    an approved extension moved ``resolve_by``/``close_by`` and brings the case's ``extensions`` to
    the number given; an approved deferral parks the case ``until``; an approved void ends the case;
    an approved appeal exempts it from lateness (``exempt_from_lateness``)."""

    event_type: ClassVar[str] = "gridloop.case.request_decided.v1"

    kind: RequestKind
    approved: bool
    requested_by: str
    requested_role: str
    requested_at: AwareDatetime
    length: str | None = None
    until: AwareDatetime | None = None
    extensions: int = 0
    exempt_from_lateness: bool = False


class CaseResumed(CaseActed):
    """A deferred case took up its clock again; its deadlines moved by the time it was paused."""

    event_type: ClassVar[str] = "gridloop.case.resumed.v1"

    paused_seconds: int


class CaseReassigned(CaseActed):
    """An operator dispatched the case again (after an approved return, or from manual triage)."""

    event_type: ClassVar[str] = "gridloop.case.reassigned.v1"

    previous_holder_id: str | None = None
    holder_role: str
    unit_id: str
    verifier_id: str | None = None


class CaseEscalated(CaseActed):
    """The case went up a tier: by its holder with a reason, or ``automatic`` by the escalation policy."""

    event_type: ClassVar[str] = "gridloop.case.escalated.v1"

    previous_holder_id: str | None = None
    holder_role: str
    unit_id: str
    from_tier: Tier
    to_tier: Tier
    automatic: bool


class CaseConsultationStarted(CaseActed):
    event_type: ClassVar[str] = "gridloop.case.consultation_started.v1"

    invited_units: tuple[str, ...]


class CaseOpinionRecorded(CaseActed):
    """One party's opinion in a consultation (the opinion is ``note``)."""

    event_type: ClassVar[str] = "gridloop.case.opinion_recorded.v1"

    unit_id: str


class CaseConsultationDecided(CaseActed):
    """The consultation's decision: the lead unit (whose person now holds the case), the supporting
    units, and the new deadline (``resolve_by``)."""

    event_type: ClassVar[str] = "gridloop.case.consultation_decided.v1"

    previous_holder_id: str | None = None
    holder_role: str
    unit_id: str
    supporting_units: tuple[str, ...]
    deadline: AwareDatetime


class CaseCallbackRecorded(CaseActed):
    """The reporter was called back. Satisfied at 3 or more of 5; dissatisfaction the handler caused
    reopens the case (``reopened``) and counts ``against`` whoever made the resolution."""

    event_type: ClassVar[str] = "gridloop.case.callback_recorded.v1"

    satisfaction: int = Field(ge=1, le=5)
    satisfied: bool
    handler_caused: bool
    reopened: bool
    against: str | None = None


class CaseSupervised(CaseActed):
    """A supervision timer fired: a reminder before the handling deadline (``remind``), or a yellow or
    red card as the case's traffic light turned (``yellow_card``, ``red_card``)."""

    event_type: ClassVar[str] = "gridloop.case.supervised.v1"

    level: Literal["remind", "yellow_card", "red_card"]
    due: AwareDatetime | None = None
