"""A case as handling keeps it: its fields, its states, its timeline, and the commands people give.

Pure data (stdlib and pydantic only). The rules that move a case between states live in
``lifecycle.py``; this module only says what a case, a timeline entry and a command are.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class State(StrEnum):
    OPENED = "opened"  # awaiting manual triage: nobody holds it yet
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"


class Step(StrEnum):
    """What can happen to a case: the action column of its timeline."""

    OPEN = "open"
    ASSIGN = "assign"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    PASS_VERIFICATION = "pass_verification"
    FAIL_VERIFICATION = "fail_verification"
    CLOSE = "close"


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
    location: Location
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
    # The whole flow record, oldest first; its length is the case's version.
    history: tuple[TimelineEntry, ...] = ()

    @property
    def version(self) -> int:
        return len(self.history)

    def last(self, action: Step) -> TimelineEntry | None:
        return next((entry for entry in reversed(self.history) if entry.action is action), None)


# --- commands: what a person (or dispatch) asks handling to do to a case -------------------------------


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    note: str | None = Field(default=None, max_length=2000)

    @property
    def step(self) -> Step:
        raise NotImplementedError


class Assign(Command):
    """Dispatch named a holder and a verifier (from a ``CaseAssigned`` event)."""

    event_id: UUID
    assignee_id: str
    assignee_role: str
    unit_id: str
    verifier_id: str
    tier: str
    grid_id: str | None
    resolve_by: datetime
    close_by: datetime

    @property
    def step(self) -> Step:
        return Step.ASSIGN


class Accept(Command):
    @property
    def step(self) -> Step:
        return Step.ACCEPT


class Resolve(Command):
    evidence: tuple[str, ...] = Field(default=(), max_length=9)

    @property
    def step(self) -> Step:
        return Step.RESOLVE


class Verify(Command):
    passed: bool

    @property
    def step(self) -> Step:
        return Step.PASS_VERIFICATION if self.passed else Step.FAIL_VERIFICATION


class Close(Command):
    @property
    def step(self) -> Step:
        return Step.CLOSE
