"""What scoring knows about one case, and how each case event changes it.

A case fact is the small slice of a case that assessment needs: who holds it, where it is, when it must
be closed and when it was. Each event type maps to one transition in ``TRANSITIONS`` (transitions are
data); an event type scoring has not been taught about but that names a holder (any ``CaseActed``)
refreshes the holder and deadline, so a new handling action does not need a scoring release to count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.events.cases import CaseActed, CaseAssigned, CaseClosed, CaseEvent, CaseOpened


class UnknownCase(Exception):
    """An event about a case that was never opened here: it can never be applied."""


@dataclass(frozen=True)
class CaseFact:
    case_id: UUID
    holder_id: str | None
    # The holder's role when scoring saw it assigned; None when a later event named a holder we did not
    # see assigned (the role is then unknown, not absent).
    holder_role: str | None
    grid_id: str | None
    close_by: datetime
    closed_at: datetime | None = None


def _opened(fact: CaseFact | None, event: CaseOpened) -> CaseFact:
    if fact is not None:
        # A case opens once; its deadline and place may since have been set by dispatch, which wins.
        return fact
    return CaseFact(
        case_id=event.case_id,
        holder_id=None,
        holder_role=None,
        grid_id=event.grid_id,
        close_by=event.close_by,
    )


def _assigned(fact: CaseFact, event: CaseAssigned) -> CaseFact:
    return replace(
        fact,
        holder_id=event.assignee_id,
        holder_role=event.assignee_role,
        # The clock starts at dispatch: the assignment's deadline replaces the provisional one.
        close_by=event.close_by,
        grid_id=event.grid_id if event.grid_id is not None else fact.grid_id,
    )


def _acted(fact: CaseFact, event: CaseActed) -> CaseFact:
    same_holder = event.holder_id == fact.holder_id
    return replace(
        fact,
        holder_id=event.holder_id,
        holder_role=fact.holder_role if same_holder else None,
        close_by=event.close_by,
    )


def _closed(fact: CaseFact, event: CaseClosed) -> CaseFact:
    acted = _acted(fact, event)
    # A case closes once; a second close (under another event id) does not move the first.
    return replace(acted, closed_at=fact.closed_at or event.occurred_at)


Transition = Callable[[Any, Any], CaseFact]

TRANSITIONS: dict[type[CaseEvent], Transition] = {
    CaseOpened: _opened,
    CaseAssigned: _assigned,
    CaseClosed: _closed,
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
