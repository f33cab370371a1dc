"""The ports scoring's handlers work through: the clock, the store of facts and results, the outbox, the
analysis of case events and the places it counts over.

Each takes the caller's connection and never commits: the consumer's transaction (inbox row, facts,
results, outbox rows) commits or rolls back as one. ``repository.Repository``, ``publisher.Outbox``,
``analysis.Analysis`` and ``places.Places`` are the real adapters; unit tests stand in in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

import asyncpg

from services.scoring.domain import CaseFact, Key, Period, Subject
from services.scoring.domain.places import Place
from services.scoring.domain.recurrence import ClosedNearby
from services.scoring.domain.reports import VoidedReport
from services.scoring.repository import StoredResult
from shared.events import KafkaRecord
from shared.events.assessments import AssessmentCounters
from shared.events.cases import CaseEvent

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store(Protocol):
    """Case facts, what each case adds to each result, and the results."""

    async def load_fact(self, conn: asyncpg.Connection, case_id: UUID) -> CaseFact | VoidedReport | None:
        """The fact, locked until the transaction ends (a case's or a voided report's)."""

    async def save_facts(self, conn: asyncpg.Connection, facts: list[CaseFact | VoidedReport]) -> None: ...

    async def due_for_sweep(self, conn: asyncpg.Connection, now: datetime, limit: int) -> list[UUID]:
        """Cases due to be swept by ``now`` (``domain.reports.sweep_at``), earliest first."""

    async def replace_contributions(
        self, conn: asyncpg.Connection, parts: dict[UUID, dict[Key, AssessmentCounters]]
    ) -> None:
        """What each of these cases adds to each result, replacing what they added before."""

    async def add_to_results(
        self,
        conn: asyncpg.Connection,
        moved: dict[Key, tuple[int, ...]],
        *,
        rubric_version: str,
        at: datetime,
    ) -> list[tuple[Subject, Period, AssessmentCounters]]:
        """Add each delta to its result's counters (created as needed); the new counters, in key order."""

    async def save_assessments(self, conn: asyncpg.Connection, results: list[StoredResult]) -> None: ...

    async def delete_results(self, conn: asyncpg.Connection, keys: list[tuple[Subject, Period]]) -> None: ...


class Outbox(Protocol):
    async def put(self, conn: asyncpg.Connection, records: list[KafkaRecord]) -> None:
        """Queue the records for publishing when the transaction commits."""


class PlaceStore(Protocol):
    """Each case's place and the hotspot alerts raised: what analysis counts over."""

    async def add(self, conn: asyncpg.Connection, place: Place) -> bool:
        """Keep a case's place; False when it was kept already."""

    async def close(self, conn: asyncpg.Connection, case_id: UUID, at: datetime) -> Place | None:
        """The case's place, closed at ``at``; None when it was closed already (or never kept)."""

    async def move(self, conn: asyncpg.Connection, case_id: UUID, grid_id: str) -> None: ...

    async def closed_between(
        self,
        conn: asyncpg.Connection,
        grid_id: str,
        category: str,
        since: datetime,
        until: datetime,
        excluding: UUID,
    ) -> list[ClosedNearby]:
        """Cases of the grid and category with a point, closed in [since, until], but ``excluding``."""

    async def opened_between(
        self,
        conn: asyncpg.Connection,
        grid_id: str,
        category: str,
        since: datetime,
        until: datetime,
        excluding: UUID,
    ) -> list[Place]:
        """Cases of the grid and category with a point, opened in [since, until], not yet found to repeat
        another, but ``excluding``."""

    async def mark_recurrence(
        self, conn: asyncpg.Connection, case_id: UUID, earlier_case_id: UUID
    ) -> None: ...

    async def latest_opening(
        self, conn: asyncpg.Connection, grid_id: str, category: str, since: datetime, before: datetime
    ) -> datetime | None:
        """The latest opening of the grid and category in [since, before)."""

    async def openings(
        self, conn: asyncpg.Connection, grid_id: str, category: str, after: datetime, until: datetime
    ) -> list[tuple[UUID, datetime]]:
        """(case id, opened at) of the grid and category in (after, until], in order of opening."""

    async def alert_raised(
        self, conn: asyncpg.Connection, grid_id: str, category: str, after: datetime, before: datetime
    ) -> bool:
        """Whether a hotspot alert of the grid and category was raised in (after, before)."""

    async def record_alert(
        self, conn: asyncpg.Connection, grid_id: str, category: str, raised_at: datetime
    ) -> None: ...


class CaseAnalysis(Protocol):
    async def on_event(self, conn: asyncpg.Connection, event: CaseEvent) -> None:
        """Keep the case's place current; queue any alert its event raises."""
