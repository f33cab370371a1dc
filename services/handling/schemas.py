"""What the HTTP API reads and writes: request bodies and response documents, and the case stream's
events."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from services.handling.domain import Case, State, Step
from services.handling.domain.deadlines import CLOCKED_STATES, Light, is_overdue, light_of
from services.handling.domain.model import Annotation

Note = str | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = Field(default=None, max_length=2000)


class AcceptBody(_Body):
    pass


class ResolveBody(_Body):
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=9)


class VerifyBody(_Body):
    passed: bool
    # Photo links, a position and a time from the site visit.
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=9)

    @model_validator(mode="after")
    def failing_needs_a_reason(self) -> VerifyBody:
        if not self.passed and not (self.note and self.note.strip()):
            raise ValueError("a failed verification needs a note saying what must be reworked")
        return self


class CloseBody(_Body):
    # The category's closing standards the closer ticked (city/handling.yaml closing_standards).
    standards_met: list[str] = Field(default_factory=list, max_length=20)


class ReasonBody(_Body):
    """A step that needs a reason (``note``)."""

    note: str = Field(min_length=1, max_length=2000)


class RequestBody(ReasonBody):
    # extension: how much more time, ISO-8601 (P2D = two working days)
    length: str | None = Field(default=None, max_length=32)
    # deferral: until when the case is parked
    until: AwareDatetime | None = None
    # appeal: links to what shows the lateness was not the handler's
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=9)


class CallbackBody(_Body):
    satisfaction: int = Field(ge=1, le=5, description="1 (very unsatisfied) to 5 (very satisfied)")
    handler_caused: bool = Field(default=False, description="dissatisfaction caused by the handler reopens")


class ReassignBody(_Body):
    assignee_id: str = Field(min_length=1, max_length=200)
    verifier_id: str | None = Field(default=None, max_length=200)
    # Filing a case from manual triage: the category's filing standards ticked (city/handling.yaml).
    standards_met: list[str] = Field(default_factory=list, max_length=20)


class ConsultationBody(ReasonBody):
    invited_units: list[str] = Field(min_length=1, max_length=20)


class OpinionBody(ReasonBody):
    unit_id: str = Field(min_length=1, max_length=200)


class DecisionBody(_Body):
    lead_unit: str = Field(min_length=1, max_length=200)
    supporting_units: list[str] = Field(default_factory=list, max_length=20)
    deadline: AwareDatetime


class LocationView(BaseModel):
    lon: float
    lat: float


class CaseView(BaseModel):
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
    # null for a case whose report gave only an address
    location: LocationView | None
    description: str
    state: State
    assignee_id: str | None
    assignee_role: str | None
    unit_id: str | None
    verifier_id: str | None
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    version: int
    # Seconds until close_by (negative once past it); null for a closed case.
    time_left_seconds: int | None
    # Open past close_by, or closed after it.
    overdue: bool
    # The handling clock (dispatch -> resolve_by): green, yellow or red while someone works the case;
    # null once resolved, or while deferred (the clock is paused), voided or closed.
    light: Light | None = None
    handle_time_left_seconds: int | None = None
    accept_by: AwareDatetime | None = None
    yellow_at: AwareDatetime | None = None
    red_at: AwareDatetime | None = None
    pending: dict[str, Any] | None = None
    extensions: int = 0
    reworks: int = 0
    resume_at: AwareDatetime | None = None
    exempt_from_lateness: bool = False
    consultation: dict[str, Any] | None = None

    @classmethod
    def of(cls, fields: Mapping[str, Any], now: datetime) -> CaseView:
        """From a row of ``cases`` or a domain case's fields (both use the column names)."""
        state = State(fields["state"])
        close_by: datetime = fields["close_by"]
        closed = state is State.CLOSED
        location = fields["location"] if "location" in fields else _point(fields["lon"], fields["lat"])
        clocked = state.value in CLOCKED_STATES
        resolve_by: datetime = fields["resolve_by"]
        return cls.model_validate(
            {
                **{name: fields[name] for name in cls.model_fields if name in fields},
                **{name: _document(fields.get(name)) for name in ("pending", "consultation")},
                "location": location,
                "time_left_seconds": None if closed else int((close_by - now).total_seconds()),
                "overdue": is_overdue(state, close_by=close_by, updated_at=fields["updated_at"], now=now),
                "light": light_of(now, resolve_by, fields.get("yellow_at"), fields.get("red_at"))
                if clocked
                else None,
                "handle_time_left_seconds": int((resolve_by - now).total_seconds()) if clocked else None,
            }
        )

    @classmethod
    def of_case(cls, case: Case, now: datetime) -> CaseView:
        return cls.of(case.model_dump(exclude={"history"}) | {"version": case.version}, now)


class CasePage(BaseModel):
    items: list[CaseView]
    # Pass as ``cursor`` to get the next page; null on the last page.
    next_cursor: str | None


class BadCursor(ValueError):
    pass


def encode_cursor(opened_at: datetime, case_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{opened_at.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        opened_at, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(opened_at), UUID(case_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor("cursor is not one this API returned") from exc


class TimelineEntryView(BaseModel):
    seq: int
    event_id: UUID
    action: Step | Annotation
    actor_id: str
    actor_role: str
    from_state: State | None
    to_state: State
    note: str | None
    evidence: list[str]
    at: AwareDatetime
    details: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def all_of(cls, case: Case) -> list[TimelineEntryView]:
        return [cls.model_validate(entry.model_dump()) for entry in case.history]


class TimelineView(BaseModel):
    case_id: UUID
    entries: list[TimelineEntryView]


class CaseDetail(CaseView):
    # The case's flow record, oldest first (the same entries as /v1/cases/{id}/timeline).
    timeline: list[TimelineEntryView]
    # The steps the caller may take on the case now (``domain/permitted.py``), in a stable order.
    allowed_actions: list[Step]

    @classmethod
    def for_caller(cls, case: Case, now: datetime, allowed_actions: Iterable[Step]) -> CaseDetail:
        summary = CaseView.of_case(case, now)
        return cls(
            **dict(summary), timeline=TimelineEntryView.all_of(case), allowed_actions=list(allowed_actions)
        )


def _point(lon: float | None, lat: float | None) -> dict[str, float] | None:
    """A case row's point; None for a case whose report gave only an address."""
    return None if lon is None or lat is None else {"lon": lon, "lat": lat}


def _document(value: Any) -> Any:
    """A jsonb column as asyncpg gives it (text), or a domain model's dump (a dict)."""
    return json.loads(value) if isinstance(value, str) else value


# ``?state=assigned&state=accepted``: cases (or stream events) in any of the states given.
StatesQuery = Annotated[list[State] | None, Query(description="any of these states (repeat the parameter)")]


class StreamedCase(BaseModel):
    """The case as the event's commit left it."""

    state: State
    category: str
    priority: str
    tier: str
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    district_id: str | None
    department_id: str | None
    unit_id: str | None
    assignee_id: str | None
    verifier_id: str | None
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    # The acceptance deadline and the traffic light's moments (null in events streamed before they existed).
    accept_by: AwareDatetime | None = None
    yellow_at: AwareDatetime | None = None
    red_at: AwareDatetime | None = None


class StreamEvent(TimelineEntryView):
    """One timeline entry of one case, as the stream sends it (``data:`` of an SSE event)."""

    position: int
    case_id: UUID
    committed_at: AwareDatetime
    case: StreamedCase

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StreamEvent:
        """From a row of ``case_stream``."""
        fields = dict(row)
        if isinstance(fields.get("details"), str):  # asyncpg gives jsonb as text
            fields["details"] = json.loads(fields["details"])
        return cls.model_validate({**fields, "case": fields})
