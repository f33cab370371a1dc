"""How a case stands against its deadlines: overdue or not, and the handling clock's traffic light.

``queries.py`` filters the list by the same rules in SQL (``past_close_by``, ``showing``): keep them in
step with these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from services.handling.domain.model import WORKING_STATES, State

# States in which no deadline runs: a voided case ended without handling, a deferred one is paused (its
# deadlines move by the time paused when it resumes). Neither is overdue, whatever the clock says.
UNTIMED_STATES = frozenset(state.value for state in (State.VOIDED, State.DEFERRED))
# States in which the handling clock runs and a light shows.
CLOCKED_STATES = frozenset(state.value for state in (*WORKING_STATES, State.IN_CONSULTATION))
Light = Literal["green", "yellow", "red"]


def is_overdue(state: State, *, close_by: datetime, updated_at: datetime, now: datetime) -> bool:
    """Running past close_by, or closed after it."""
    if state is State.CLOSED:
        return updated_at > close_by
    return state.value not in UNTIMED_STATES and now > close_by


def light_of(
    now: datetime, resolve_by: datetime, yellow_at: datetime | None, red_at: datetime | None
) -> Light:
    """Which light a case shows: dispatch's yellow_at and red_at (moved with extensions and pauses)."""
    if now >= (red_at or resolve_by):
        return "red"
    if yellow_at is not None and now >= yellow_at:
        return "yellow"
    return "green"
