"""Handling's case events: the steps people take on a case (accepted, resolved, verified, closed, …), as
scoring and the benchmarks consume them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from shared.events.cases import (
    CaseAccepted,
    CaseActed,
    CaseClosed,
    CaseResolved,
    CaseVerificationFailed,
    CaseVerified,
)

Step = TypeVar("Step", bound=CaseActed)


def case_acted(step: type[Step], /, *, now: datetime | None = None, **overrides: Any) -> Step:
    """A ``step`` (any ``CaseActed`` type) taken at ``now`` by grid worker ``w-001``, who holds the case;
    it is to be closed within three days. The step's own fields (a request's ``kind``, …) come as
    overrides."""
    now = now or datetime.now(UTC)
    fields: dict[str, Any] = {
        "case_id": uuid.uuid4(),
        "occurred_at": now,
        "actor_id": "w-001",
        "actor_role": "grid_worker",
        "holder_id": "w-001",
        "close_by": now + timedelta(days=3),
    }
    fields.update(overrides)
    return step(**fields)


def case_accepted(*, now: datetime | None = None, **overrides: Any) -> CaseAccepted:
    return case_acted(CaseAccepted, now=now, **overrides)


def case_resolved(*, now: datetime | None = None, **overrides: Any) -> CaseResolved:
    """Resolved, with a photo of the result."""
    return case_acted(CaseResolved, now=now, **{"evidence": ("https://media.example/after.jpg",)} | overrides)


def case_verified(*, now: datetime | None = None, **overrides: Any) -> CaseVerified:
    return case_acted(CaseVerified, now=now, **{"actor_id": "c-001", "actor_role": "grid_chief"} | overrides)


def case_verification_failed(*, now: datetime | None = None, **overrides: Any) -> CaseVerificationFailed:
    """The grid chief ``c-001`` sent the resolution back for rework."""
    fields = {"actor_id": "c-001", "actor_role": "grid_chief", "rework_of": "resolution"}
    return case_acted(CaseVerificationFailed, now=now, **fields | overrides)


def case_closed(*, now: datetime | None = None, **overrides: Any) -> CaseClosed:
    """Closed by the grid chief ``c-001``."""
    return case_acted(CaseClosed, now=now, **{"actor_id": "c-001", "actor_role": "grid_chief"} | overrides)
