"""In-memory stand-ins for scoring's ports (``services/scoring/ports.py``) and the pool the sweep takes
its connection from: the handler, the sweep and the closer's decisions run without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

from prometheus_client import CollectorRegistry, Counter

from services.scoring.domain import CaseFact, Key, Period, Subject, parse_period
from services.scoring.domain.counters import COUNTERS, NO_CASES, as_tuple, from_mapping
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
