"""A case as handling keeps it: its fields, its states and steps, its timeline.

Pure data (stdlib and pydantic only). The commands people give are in ``commands.py``; the rules that
move a case between states live in ``lifecycle.py``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class State(StrEnum):
    OPENED = "opened"  # awaiting manual triage: nobody holds it yet
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"  # signed for
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"  # reported back with evidence
    VERIFIED = "verified"
    CLOSED = "closed"
    RETURNED = "returned"  # sent back by its receiver (approved), waiting to be dispatched again
    DEFERRED = "deferred"  # parked with approval: the clock is paused until it resumes
    VOIDED = "voided"  # approved as invalid: the case ends without handling
    IN_CONSULTATION = "in_consultation"
    REOPENED = "reopened"  # an unsatisfied callback the handler caused: back to the holder


class Step(StrEnum):
    """What can happen to a case: the action column of its timeline."""

    OPEN = "open"
    ASSIGN = "assign"
    REASSIGN = "reassign"  # dispatched again by an operator (after a return, or from manual triage)
    ACCEPT = "accept"
    START = "start"
    RESOLVE = "resolve"
    PASS_VERIFICATION = "pass_verification"
    FAIL_VERIFICATION = "fail_verification"
    CLOSE = "close"
    CALLBACK = "callback"
    REOPEN = "reopen"  # a callback whose dissatisfaction the handler caused
    REQUEST_RETURN = "request_return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    REQUEST_DEFERRAL = "request_deferral"
    APPROVE_DEFERRAL = "approve_deferral"
    REJECT_DEFERRAL = "reject_deferral"
    RESUME = "resume"
    REQUEST_VOID = "request_void"
    APPROVE_VOID = "approve_void"
    REJECT_VOID = "reject_void"
    REQUEST_APPEAL = "request_appeal"
    APPROVE_APPEAL = "approve_appeal"
    REJECT_APPEAL = "reject_appeal"
    ESCALATE = "escalate"
    START_CONSULTATION = "start_consultation"
    RECORD_OPINION = "record_opinion"
    DECIDE_CONSULTATION = "decide_consultation"
    REMIND = "remind"
    YELLOW_CARD = "yellow_card"
    RED_CARD = "red_card"


class RequestKind(StrEnum):
    """What a holder may ask approval for (returns, extensions, deferrals, voids, timeout appeals)."""

    RETURN = "return"
    EXTENSION = "extension"
    DEFERRAL = "deferral"
    VOID = "void"
    APPEAL = "appeal"


# The states in which a case is held by someone who is working it (supervision timers run).
WORKING_STATES = (State.ASSIGNED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED)


class Annotation(StrEnum):
    """Timeline entries that are not steps: they record something without moving the case."""

    # A duplicate report joined the case (dispatch's duplicate merge); its reporter is credited here.
    MERGE = "merge"


# Who acts for the system rather than as a person (dispatch assigning a case).
SYSTEM_ROLE = "system"


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=64)
    # The unit the person serves (their jurisdiction); None for the system.
    unit_id: str | None = None
    # Serving the city itself: every case is in their jurisdiction.
    city_wide: bool = False


class Location(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lon: float
    lat: float


class TimelineEntry(BaseModel):
    """One row of a case's flow record: who did what, from which state to which, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    event_id: UUID
    action: Step | Annotation
    actor_id: str
    actor_role: str
    from_state: State | None
    to_state: State
    note: str | None = None
    evidence: tuple[str, ...] = ()
    at: AwareDatetime
    # What else the step decided, e.g. an extension's length, a decision's lead unit, a new holder.
    details: dict[str, Any] = Field(default_factory=dict)


class PendingRequest(BaseModel):
    """A request waiting for approval: only one at a time per case."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RequestKind
    requested_by: str
    requested_role: str
    reason: str
    at: AwareDatetime
    # extension: how much more time is asked for, ISO-8601 (P2D: two working days)
    length: str | None = None
    # deferral: until when the case is parked
    until: AwareDatetime | None = None
    evidence: tuple[str, ...] = ()


class Consultation(BaseModel):
    """A joint review: who convened it, who was invited, their opinions, and (once decided) the decision."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    convened_by: str
    invited_units: tuple[str, ...]
    opinions: dict[str, str] = Field(default_factory=dict)
    lead_unit: str | None = None
    supporting_units: tuple[str, ...] = ()
    deadline: AwareDatetime | None = None


class Case(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID
    report_id: UUID
    category: str
    nature: str
    priority: str
    tier: str
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    district_id: str | None
    department_id: str | None
    # None when the report gave only an address (placed in its community by the gazetteer, or not at all).
    location: Location | None
    description: str
    state: State
    assignee_id: str | None = None
    assignee_role: str | None = None
    unit_id: str | None = None
    verifier_id: str | None = None
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    # Supervision moments of the handling clock (dispatch's; moved with the deadlines).
    accept_by: AwareDatetime | None = None
    yellow_at: AwareDatetime | None = None
    red_at: AwareDatetime | None = None
    # When the current holder received the case: a return is counted from here.
    assigned_at: AwareDatetime | None = None
    pending: PendingRequest | None = None
    extensions: int = 0
    reworks: int = 0
    # While deferred: when the clock stopped and when the case resumes by itself.
    paused_at: AwareDatetime | None = None
    resume_at: AwareDatetime | None = None
    # An approved timeout appeal: lateness does not count against the case.
    exempt_from_lateness: bool = False
    consultation: Consultation | None = None
    # The whole flow record, oldest first; its length is the case's version.
    history: tuple[TimelineEntry, ...] = ()

    @property
    def version(self) -> int:
        return len(self.history)

    def last(self, action: Step) -> TimelineEntry | None:
        return next((entry for entry in reversed(self.history) if entry.action is action), None)
