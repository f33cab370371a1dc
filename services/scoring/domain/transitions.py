"""How each case event changes a case's fact: one transition per event type in ``TRANSITIONS``
(transitions are data), applied by ``apply_event``.

An event type scoring has not been taught about but that names a holder (any ``CaseActed``) refreshes
the holder and the closing deadline, so a new handling action does not need a scoring release to count.
Handling's tiered-handling steps: an approved extension, deferral or return counts against who asked, a
callback against whom it names, an approved timeout appeal exempts the case from lateness, an approved
void ends it; a hand-over names the new holder's role and unit; any step that moved the handling deadline
(extension, deferral's pause, consultation) carries the new ``resolve_by``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from services.scoring.domain.facts import (
    Callback,
    CaseFact,
    ReportCredit,
    Request,
    Rework,
    Tenure,
    UnknownCase,
    holder_at,
)
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
