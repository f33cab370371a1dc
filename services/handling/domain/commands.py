"""The commands people (and handling's own timers) give a case, named in the imperative.

Each knows the lifecycle step it asks for; a command whose outcome is a choice (verify passed or not,
a decision approved or not, a callback that reopens or not) picks its step from its own fields, so the
transition table stays a plain (state, step) lookup. A command carries what the edge had to look up
(the next holder from the city's registry), so the domain never reads the registry itself.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.handling.domain.model import RequestKind, Step
from shared.events.cases import CaseAssigned

Evidence = tuple[str, ...]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    note: str | None = Field(default=None, max_length=2000)

    @property
    def step(self) -> Step:
        raise NotImplementedError


class Holder(BaseModel):
    """Who receives the case: a person, their role, their unit and the tier they act at."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    role: str
    unit_id: str
    tier: str


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
    accept_by: datetime | None = None
    yellow_at: datetime | None = None
    red_at: datetime | None = None

    @classmethod
    def of(cls, assigned: CaseAssigned, *, event_id: UUID) -> Assign:
        """What dispatch's ``CaseAssigned`` asks of the case: the one translation, for the consumer and for
        every test that follows dispatch's events into handling."""
        return cls(
            event_id=event_id,
            assignee_id=assigned.assignee_id,
            assignee_role=assigned.assignee_role,
            unit_id=assigned.unit_id,
            verifier_id=assigned.verifier_id,
            tier=assigned.tier,
            grid_id=assigned.grid_id,
            resolve_by=assigned.resolve_by,
            close_by=assigned.close_by,
            accept_by=assigned.accept_by,
            yellow_at=assigned.yellow_at,
            red_at=assigned.red_at,
        )

    @property
    def step(self) -> Step:
        return Step.ASSIGN


class Reassign(Command):
    """An operator dispatches the case again, to a named person."""

    holder: Holder
    verifier_id: str | None = None
    # Filing a case from manual triage: the category's filing standards the operator ticked.
    standards_met: tuple[str, ...] = ()

    @property
    def step(self) -> Step:
        return Step.REASSIGN


class Accept(Command):
    @property
    def step(self) -> Step:
        return Step.ACCEPT


class Start(Command):
    @property
    def step(self) -> Step:
        return Step.START


class Resolve(Command):
    evidence: Evidence = Field(default=(), max_length=9)

    @property
    def step(self) -> Step:
        return Step.RESOLVE


class Verify(Command):
    passed: bool
    evidence: Evidence = Field(default=(), max_length=9)

    @property
    def step(self) -> Step:
        return Step.PASS_VERIFICATION if self.passed else Step.FAIL_VERIFICATION


class Close(Command):
    # The category's closing standards the closer ticked.
    standards_met: tuple[str, ...] = ()

    @property
    def step(self) -> Step:
        return Step.CLOSE


class Callback(Command):
    """The reporter was called back: satisfaction 1-5, and whether dissatisfaction is the handler's."""

    satisfaction: int = Field(ge=1, le=5)
    handler_caused: bool = False

    @property
    def satisfied(self) -> bool:
        return self.satisfaction >= 3

    @property
    def step(self) -> Step:
        return Step.REOPEN if not self.satisfied and self.handler_caused else Step.CALLBACK


class Request(Command):
    """Ask for approval: a return, an extension, a deferral, a void or a timeout appeal."""

    kind: RequestKind
    # extension: ISO-8601 (P2D = two working days); deferral: ``until``
    length: str | None = Field(default=None, max_length=32)
    until: AwareDatetime | None = None
    evidence: Evidence = Field(default=(), max_length=9)

    @property
    def step(self) -> Step:
        return Step(f"request_{self.kind.value}")


class Decide(Command):
    """Approve or reject the pending request of ``kind``."""

    kind: RequestKind
    approved: bool

    @property
    def step(self) -> Step:
        return Step(f"{'approve' if self.approved else 'reject'}_{self.kind.value}")


class Resume(Command):
    """A deferred case takes up its clock again (at expiry by the timer, or early by its holder)."""

    @property
    def step(self) -> Step:
        return Step.RESUME


class Escalate(Command):
    """Send the case up a tier, to ``holder``: by its holder with a reason, or by policy."""

    holder: Holder
    automatic: bool = False

    @property
    def step(self) -> Step:
        return Step.ESCALATE


class StartConsultation(Command):
    invited_units: tuple[str, ...] = Field(min_length=1, max_length=20)

    @property
    def step(self) -> Step:
        return Step.START_CONSULTATION


class RecordOpinion(Command):
    unit_id: str

    @property
    def step(self) -> Step:
        return Step.RECORD_OPINION


class DecideConsultation(Command):
    """The decision: a lead unit (whose ``holder`` receives the case), supporting units, a deadline."""

    holder: Holder
    supporting_units: tuple[str, ...] = ()
    deadline: AwareDatetime

    @property
    def step(self) -> Step:
        return Step.DECIDE_CONSULTATION


class Supervise(Command):
    """A supervision timer fired: a reminder, or a yellow or red card."""

    level: Step = Field(description="remind, yellow_card or red_card")
    due: AwareDatetime | None = None

    @property
    def step(self) -> Step:
        return self.level
