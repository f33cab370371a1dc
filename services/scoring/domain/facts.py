"""What scoring knows about one case, and how each case event changes it.

A case fact is the slice of a case's history that assessment needs: where it is, who held it from when
(tenures), its deadlines, when it was handled and closed, its reworks. Each event type maps to one
transition in ``TRANSITIONS`` (transitions are data); an event type scoring has not been taught about but
that names a holder (any ``CaseActed``) refreshes the holder and the closing deadline, so a new handling
action does not need a scoring release to count.

Handling's tiered-handling events (issue #4) fill the rest: an approved extension, deferral or return is
a ``Request`` against who asked, a callback a ``Callback`` against whom it names, an approved timeout
appeal sets ``lateness_exempt``, an approved void ``voided_at``; a hand-over names the new holder's role
and unit; any step that moved the handling deadline (extension, deferral's pause, consultation) carries
the new ``resolve_by``.

Reports are credited to their reporters (``reports``): the report that opened the case and every duplicate
merged into it. A voided report never becomes a case; its own fact (``reports.VoidedReport``) credits the
reporter with a report that was not valid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.events.cases import (
    CaseActed,
    CaseAssigned,
    CaseCallbackRecorded,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    CaseRequestDecided,
    CaseResolved,
    CaseVerificationFailed,
)
from shared.events.triage import ReportMergedIntoCase


class UnknownCase(Exception):
    """An event about a case that was never opened here: it can never be applied."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tenure(_Frozen):
    """Someone held the case from ``since`` until the next tenure began."""

    since: AwareDatetime
    holder_id: str
    # Known when scoring saw the assignment; None when a later event named a holder it did not see
    # assigned (the role is then unknown, not absent).
    role: str | None = None
    unit_id: str | None = None


class Rework(_Frozen):
    """A resolution failed verification at ``at``; it counts against whoever resolved it."""

    at: AwareDatetime
    against: Tenure


class Request(_Frozen):
    """An extension, deferral or return someone asked for (counted against who asked)."""

    kind: Literal["extensions", "deferrals", "returns"]
    at: AwareDatetime
    by: Tenure


class Callback(_Frozen):
    at: AwareDatetime
    satisfied: bool
    against: Tenure


class ReportCredit(_Frozen):
    """A report that opened the case or joined it as a duplicate: it credits its reporter."""

    report_id: UUID
    source_type: str
    reporter_id: str
    at: AwareDatetime


class CaseFact(_Frozen):
    case_id: UUID
    grid_id: str | None
    community_id: str | None = None
    street_id: str | None = None
    district_id: str | None = None
    tenures: tuple[Tenure, ...] = ()
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    # The standing resolution: cleared when verification fails, set again by the reworked resolution.
    resolved_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    reworks: tuple[Rework, ...] = ()
    requests: tuple[Request, ...] = ()
    callbacks: tuple[Callback, ...] = ()
    # An approved timeout appeal (超时申诉) exempts the case from lateness.
    lateness_exempt: bool = False
    # The latest instant scoring knows has passed for this case: its events' times, and the deadline
    # sweep's clock. A handling deadline before it, with no resolution, is overdue.
    clock: AwareDatetime
    category: str | None = None
    reports: tuple[ReportCredit, ...] = ()
    # Volunteer service the case is worth once closed (a service task in the city's vanguard rules).
    service_minutes: int = 0
    # An approved void (作废) ended the case: it counts for nobody, and its reports were not valid.
    voided_at: AwareDatetime | None = None

    @property
    def fact_id(self) -> UUID:
        return self.case_id

    @property
    def holder(self) -> Tenure | None:
        return self.tenures[-1] if self.tenures else None

    @property
    def holder_id(self) -> str | None:
        return self.tenures[-1].holder_id if self.tenures else None


def _later(a: datetime, b: datetime) -> datetime:
    return a if a >= b else b


def _opened(fact: CaseFact | None, event: CaseOpened) -> CaseFact:
    if fact is not None:
        # A case opens once; its deadline and place may since have been set by dispatch, which wins.
        return fact
    return CaseFact(
        case_id=event.case_id,
        grid_id=event.grid_id,
        community_id=event.community_id,
        street_id=event.street_id,
        district_id=event.district_id,
        resolve_by=event.resolve_by,
        close_by=event.close_by,
        clock=event.occurred_at,
        category=event.category,
        reports=(
            ReportCredit(
                report_id=event.report_id,
                source_type=event.source_type,
                reporter_id=event.reporter_id,
                at=event.occurred_at,
            ),
        ),
    )


def _merged(fact: CaseFact, event: ReportMergedIntoCase) -> CaseFact:
    """A duplicate joined the case: one case still, and one more reporter credited (once per report)."""
    if any(credit.report_id == event.report_id for credit in fact.reports):
        return fact
    credit = ReportCredit(
        report_id=event.report_id,
        source_type=event.source_type,
        reporter_id=event.reporter_id,
        at=event.submitted_at,
    )
    return fact.model_copy(update={"reports": (*fact.reports, credit)})


def _assigned(fact: CaseFact, event: CaseAssigned) -> CaseFact:
    tenure = Tenure(
        since=event.occurred_at, holder_id=event.assignee_id, role=event.assignee_role, unit_id=event.unit_id
    )
    changes: dict[str, Any] = {
        "tenures": (*fact.tenures, tenure),
        # The clock starts at dispatch: the assignment's deadlines replace the provisional ones.
        "resolve_by": event.resolve_by,
        "close_by": event.close_by,
        "clock": _later(fact.clock, event.occurred_at),
    }
    if event.grid_id is not None and event.grid_id != fact.grid_id:
        # Triaged into another grid: its community, street and district are that grid's (see ancestry).
        changes |= {"grid_id": event.grid_id, "community_id": None, "street_id": None, "district_id": None}
    return fact.model_copy(update=changes)


def _acted(fact: CaseFact, event: CaseActed) -> CaseFact:
    tenures = fact.tenures
    if fact.holder_id != event.holder_id:
        # A hand-over (reassignment, escalation, a consultation's lead unit) names the new holder's role.
        role, unit = getattr(event, "holder_role", None), getattr(event, "unit_id", None)
        tenures = (
            *tenures,
            Tenure(since=event.occurred_at, holder_id=event.holder_id, role=role, unit_id=unit),
        )
    changes: dict[str, Any] = {
        "tenures": tenures,
        "close_by": event.close_by,
        "clock": _later(fact.clock, event.occurred_at),
    }
    if event.resolve_by is not None:
        # An approved extension, a deferral's pause or a consultation's decision moved the deadline.
        changes["resolve_by"] = event.resolve_by
    return fact.model_copy(update=changes)


def _tenure_of(fact: CaseFact, person_id: str, role: str | None, since: datetime) -> Tenure:
    """The person's latest tenure of the case (their role and unit as assigned), or one made up."""
    held = [tenure for tenure in fact.tenures if tenure.holder_id == person_id]
    return held[-1] if held else Tenure(since=since, holder_id=person_id, role=role)


_COUNTED_REQUESTS: dict[str, Literal["extensions", "deferrals", "returns"]] = {
    "extension": "extensions",
    "deferral": "deferrals",
    "return": "returns",
}


def _request_decided(fact: CaseFact, event: CaseRequestDecided) -> CaseFact:
    """An approved extension, deferral or return counts against who asked; an approved timeout appeal
    exempts the case from lateness; an approved void ends it (it counts for nobody any more)."""
    acted = _acted(fact, event)
    if not event.approved:
        return acted
    changes: dict[str, Any] = {}
    if event.kind in _COUNTED_REQUESTS:
        by = _tenure_of(fact, event.requested_by, event.requested_role, event.requested_at)
        changes["requests"] = (
            *fact.requests,
            Request(kind=_COUNTED_REQUESTS[event.kind], at=event.occurred_at, by=by),
        )
    elif event.kind == "appeal" and event.exempt_from_lateness:
        changes["lateness_exempt"] = True
    elif event.kind == "void":
        changes["voided_at"] = fact.voided_at or event.occurred_at
    return acted.model_copy(update=changes)


def _callback(fact: CaseFact, event: CaseCallbackRecorded) -> CaseFact:
    """A callback counts against whoever it names (else whoever resolved the case); dissatisfaction the
    handler caused reopens the case: it is neither handled nor closed until it is again."""
    acted = _acted(fact, event)
    resolver = holder_at(fact, fact.resolved_at) if fact.resolved_at else None
    if event.against is not None:
        against = _tenure_of(fact, event.against, None, event.occurred_at)
    else:
        against = resolver or acted.holder  # type: ignore[assignment]
    assert against is not None, "a handling event names a holder"
    changes: dict[str, Any] = {
        "callbacks": (
            *fact.callbacks,
            Callback(at=event.occurred_at, satisfied=event.satisfied, against=against),
        )
    }
    if event.reopened:
        changes |= {"resolved_at": None, "closed_at": None}
    return acted.model_copy(update=changes)


def _resolved(fact: CaseFact, event: CaseResolved) -> CaseFact:
    acted = _acted(fact, event)
    return acted.model_copy(update={"resolved_at": fact.resolved_at or event.occurred_at})


def _verification_failed(fact: CaseFact, event: CaseVerificationFailed) -> CaseFact:
    acted = _acted(fact, event)
    # The rework counts against whoever held the case when the failed resolution was made.
    resolver = holder_at(fact, fact.resolved_at) if fact.resolved_at else None
    against = resolver or acted.holder
    assert against is not None, "a handling event names a holder"
    return acted.model_copy(
        update={
            "resolved_at": None,
            "reworks": (*fact.reworks, Rework(at=event.occurred_at, against=against)),
        }
    )


def _closed(fact: CaseFact, event: CaseClosed) -> CaseFact:
    acted = _acted(fact, event)
    # A case closes once; a second close (under another event id) does not move the first.
    return acted.model_copy(update={"closed_at": fact.closed_at or event.occurred_at})


Transition = Callable[[Any, Any], CaseFact]

TRANSITIONS: dict[type[CaseEvent], Transition] = {
    CaseOpened: _opened,
    CaseAssigned: _assigned,
    CaseResolved: _resolved,
    CaseVerificationFailed: _verification_failed,
    CaseClosed: _closed,
    ReportMergedIntoCase: _merged,
    CaseRequestDecided: _request_decided,
    CaseCallbackRecorded: _callback,
}


def apply_event(fact: CaseFact | None, event: CaseEvent) -> CaseFact:
    """The fact after ``event``. Raises ``UnknownCase`` for any event but the opening about a case
    never opened: case events are keyed by case id, so the opening is always seen first."""
    transition = TRANSITIONS.get(type(event))
    if transition is None and isinstance(event, CaseActed):
        transition = _acted
    if fact is None and not isinstance(event, CaseOpened):
        raise UnknownCase(f"{event.event_type} for case {event.case_id}, which was never opened")
    if transition is None:
        assert fact is not None
        return fact
    return transition(fact, event)


def with_service(fact: CaseFact, minutes: int) -> CaseFact:
    """The fact worth ``minutes`` of volunteer service once closed (from the city's vanguard rules)."""
    return fact if fact.service_minutes == minutes else fact.model_copy(update={"service_minutes": minutes})


def advance_clock(fact: CaseFact, now: datetime) -> CaseFact:
    """The deadline sweep: time has passed without an event (a handling deadline may have gone by)."""
    return fact if now <= fact.clock else fact.model_copy(update={"clock": now})


def with_ancestry(fact: CaseFact, community_id: str, street_id: str, district_id: str) -> CaseFact:
    """The fact placed in its grid's community, street and district (from the city's org tree)."""
    return fact.model_copy(
        update={"community_id": community_id, "street_id": street_id, "district_id": district_id}
    )


def holder_at(fact: CaseFact, instant: datetime) -> Tenure | None:
    """Who held the case at ``instant``: the last tenure begun by then. Before the first assignment,
    the first holder (a deadline cannot pass before dispatch assigns the case)."""
    held = None
    for tenure in fact.tenures:
        if tenure.since <= instant:
            held = tenure
    return held or (fact.tenures[0] if fact.tenures else None)
