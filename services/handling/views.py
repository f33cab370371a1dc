"""What the HTTP API reads and writes: request bodies and response documents."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from services.handling.domain import Case, State, Step
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

    @model_validator(mode="after")
    def failing_needs_a_reason(self) -> VerifyBody:
        if not self.passed and not (self.note and self.note.strip()):
            raise ValueError("a failed verification needs a note saying what must be reworked")
        return self


class CloseBody(_Body):
    pass


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
    location: LocationView
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

    @classmethod
    def of(cls, fields: Mapping[str, Any], now: datetime) -> CaseView:
        """From a row of ``cases`` or a domain case's fields (both use the column names)."""
        state = State(fields["state"])
        close_by: datetime = fields["close_by"]
        closed = state is State.CLOSED
        location = fields.get("location") or {"lon": fields["lon"], "lat": fields["lat"]}
        return cls.model_validate(
            {
                **{name: fields[name] for name in cls.model_fields if name in fields},
                "location": location,
                "time_left_seconds": None if closed else int((close_by - now).total_seconds()),
                # queries.overdue is the SQL twin of this rule (the list's filter): keep them in step.
                "overdue": fields["updated_at"] > close_by if closed else now > close_by,
            }
        )

    @classmethod
    def of_case(cls, case: Case, now: datetime) -> CaseView:
        return cls.of(case.model_dump(exclude={"history"}) | {"version": case.version}, now)


class CasePage(BaseModel):
    items: list[CaseView]
    # Pass as ``cursor`` to get the next page; null on the last page.
    next_cursor: str | None


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

    @classmethod
    def all_of(cls, case: Case) -> list[TimelineEntryView]:
        return [cls.model_validate(entry.model_dump()) for entry in case.history]


class TimelineView(BaseModel):
    case_id: UUID
    entries: list[TimelineEntryView]


class CaseDetail(CaseView):
    # The case's flow record, oldest first (the same entries as /v1/cases/{id}/timeline).
    timeline: list[TimelineEntryView]

    @classmethod
    def of_case(cls, case: Case, now: datetime) -> CaseDetail:
        summary = CaseView.of_case(case, now)
        return cls(**dict(summary), timeline=TimelineEntryView.all_of(case))


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


# ``?state=assigned&state=accepted``: cases (or stream events) in any of the states given.
StatesQuery = Annotated[list[State] | None, Query(description="any of these states (repeat the parameter)")]
