"""In-memory stand-ins for scoring's ports (``services/scoring/ports.py``) and the pool the sweep takes
its connection from: the handler, the sweep and the closer's decisions run without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from prometheus_client import CollectorRegistry, Counter

from services.scoring.domain import CaseFact, Key, Period, Subject, parse_period
from services.scoring.domain.counters import COUNTERS, NO_CASES, as_tuple, from_mapping
from services.scoring.domain.places import Place
from services.scoring.domain.recurrence import ClosedNearby
from services.scoring.domain.reports import VoidedReport, sweep_at
from services.scoring.repository import StoredResult
from shared.events import KafkaRecord
from shared.events.assessments import AssessmentCounters
from shared.events.cases import CaseEvent


class FakeStore:
    """Facts, contributions and results in dicts, as ``repository.Repository`` keeps them in tables."""

    def __init__(self) -> None:
        self.facts: dict[UUID, CaseFact | VoidedReport] = {}
        self.contributions: dict[UUID, dict[Key, AssessmentCounters]] = {}
        self.counters: dict[Key, AssessmentCounters] = {}
        self.results: dict[Key, StoredResult] = {}

    async def load_fact(self, conn: object, case_id: UUID) -> CaseFact | VoidedReport | None:
        return self.facts.get(case_id)

    async def save_facts(self, conn: object, facts: list[CaseFact | VoidedReport]) -> None:
        self.facts |= {fact.fact_id: fact for fact in facts}

    async def due_for_sweep(self, conn: object, now: datetime, limit: int) -> list[UUID]:
        due = [(at, key) for key, fact in self.facts.items() if (at := sweep_at(fact)) and at < now]
        return [key for _, key in sorted(due)[:limit]]

    async def replace_contributions(
        self, conn: object, parts: dict[UUID, dict[Key, AssessmentCounters]]
    ) -> None:
        self.contributions |= parts

    async def add_to_results(
        self, conn: object, moved: dict[Key, tuple[int, ...]], *, rubric_version: str, at: datetime
    ) -> list[tuple[Subject, Period, AssessmentCounters]]:
        counted = []
        for key in sorted(moved):
            before = as_tuple(self.counters.get(key, NO_CASES))
            after = tuple(b + d for b, d in zip(before, moved[key], strict=True))
            self.counters[key] = from_mapping(dict(zip(COUNTERS, after, strict=True)))
            counted.append((key[0], key[1], self.counters[key]))
        return counted

    async def save_assessments(self, conn: object, results: list[StoredResult]) -> None:
        self.results |= {(result.subject, parse_period(result.period)): result for result in results}

    async def delete_results(self, conn: object, keys: list[tuple[Subject, Period]]) -> None:
        for key in keys:
            self.counters.pop(key, None)
            self.results.pop(key, None)


class FakeOutbox:
    def __init__(self) -> None:
        self.records: list[KafkaRecord] = []

    async def put(self, conn: object, records: list[KafkaRecord]) -> None:
        self.records += records


class FakeAnalysis:
    def __init__(self) -> None:
        self.events: list[CaseEvent] = []

    async def on_event(self, conn: object, event: CaseEvent) -> None:
        self.events.append(event)


class FakePlaces:
    """Case places and raised hotspot alerts in memory, as ``places.Places`` keeps them in tables."""

    def __init__(self) -> None:
        self.places: dict[UUID, Place] = {}
        self.alerts: list[tuple[str, str, datetime]] = []

    def _of(self, grid_id: str, category: str) -> list[Place]:
        return [p for p in self.places.values() if (p.grid_id, p.category) == (grid_id, category)]

    async def add(self, conn: object, place: Place) -> bool:
        fresh = place.case_id not in self.places
        self.places.setdefault(place.case_id, place)
        return fresh

    async def close(self, conn: object, case_id: UUID, at: datetime) -> Place | None:
        place = self.places.get(case_id)
        if place is None or place.closed_at is not None:
            return None
        self.places[case_id] = replace(place, closed_at=at)
        return self.places[case_id]

    async def move(self, conn: object, case_id: UUID, grid_id: str) -> None:
        if case_id in self.places:
            self.places[case_id] = replace(self.places[case_id], grid_id=grid_id)

    async def closed_between(
        self, conn: object, grid_id: str, category: str, since: datetime, until: datetime, excluding: UUID
    ) -> list[ClosedNearby]:
        return [
            ClosedNearby(p.case_id, p.lon, p.lat, p.closed_at)
            for p in self._of(grid_id, category)
            if p.closed_at is not None and since <= p.closed_at <= until and p.case_id != excluding
            if p.lon is not None and p.lat is not None
        ]

    async def opened_between(
        self, conn: object, grid_id: str, category: str, since: datetime, until: datetime, excluding: UUID
    ) -> list[Place]:
        return [
            p
            for p in self._of(grid_id, category)
            if since <= p.opened_at <= until and p.recurrence_of is None and p.case_id != excluding
            if p.point is not None
        ]

    async def mark_recurrence(self, conn: object, case_id: UUID, earlier_case_id: UUID) -> None:
        self.places[case_id] = replace(self.places[case_id], recurrence_of=earlier_case_id)

    async def latest_opening(
        self, conn: object, grid_id: str, category: str, since: datetime, before: datetime
    ) -> datetime | None:
        return max(
            (p.opened_at for p in self._of(grid_id, category) if since <= p.opened_at < before), default=None
        )

    async def openings(
        self, conn: object, grid_id: str, category: str, after: datetime, until: datetime
    ) -> list[tuple[UUID, datetime]]:
        found = [
            (p.opened_at, p.case_id) for p in self._of(grid_id, category) if after < p.opened_at <= until
        ]
        return [(case_id, opened_at) for opened_at, case_id in sorted(found)]

    async def alert_raised(
        self, conn: object, grid_id: str, category: str, after: datetime, before: datetime
    ) -> bool:
        return any((g, c) == (grid_id, category) and after < at < before for g, c, at in self.alerts)

    async def record_alert(self, conn: object, grid_id: str, category: str, raised_at: datetime) -> None:
        self.alerts.append((grid_id, category, raised_at))


class FakeConnection:
    """What the sweep and the routes ask of a connection besides the ports: transactions, of nothing."""

    @asynccontextmanager
    async def transaction(self, **options: object) -> AsyncIterator[None]:
        yield


class FakePool:
    def __init__(self) -> None:
        self.connection = FakeConnection()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConnection]:
        yield self.connection


class SteppingClock:
    """A clock that stands still until moved: ``clock.now += timedelta(...)``."""

    def __init__(self, now: datetime = datetime(2026, 12, 1, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def a_counter() -> Counter:
    """A results-updated counter on a registry of its own."""
    return Counter("results_updated", "-", ["subject_type"], registry=CollectorRegistry())
