"""In-memory stand-ins for handling's ports (``services/handling/ports.py``), so that the handlers run in
unit tests without PostgreSQL or Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

from services.handling.domain import Case, Raised
from services.handling.domain.supervision import Timer
from services.handling.ports import ConcurrentUpdate


class FakeCases:
    """Cases in a dict. ``stale`` is what a read without the lock returns instead, as if a step had
    committed between that read and the locked one."""

    def __init__(self, cases: Iterable[Case] = (), *, stale: Iterable[Case] = ()) -> None:
        self.cases = {case.id: case for case in cases}
        self.stale = {case.id: case for case in stale}
        self.timers: dict[UUID, tuple[Timer, ...]] = {}
        # (case id, locked) of every read, in order.
        self.reads: list[tuple[UUID, bool]] = []

    async def get(self, case_id: UUID, *, for_update: bool = False) -> Case | None:
        self.reads.append((case_id, for_update))
        if not for_update and case_id in self.stale:
            return self.stale[case_id]
        return self.cases.get(case_id)

    async def add(self, case: Case) -> bool:
        if case.id in self.cases:
            return False
        self.cases[case.id] = case
        return True

    async def save(self, before: Case, after: Case) -> None:
        stored = self.cases.get(after.id)
        if stored is None or stored.version != before.version:
            raise ConcurrentUpdate(f"case {after.id} is no longer at version {before.version}")
        self.cases[after.id] = after

    async def arm_timers(self, case_id: UUID, timers: Iterable[Timer]) -> None:
        self.timers[case_id] = tuple(timers)


class FakePublisher:
    def __init__(self) -> None:
        self.published: list[Raised] = []

    async def publish(self, raised: Sequence[Raised], *, at: datetime) -> None:
        self.published.extend(raised)

    @property
    def event_types(self) -> list[str]:
        return [type(raised.event).__name__ for raised in self.published]


class FakeUnitOfWork:
    def __init__(self, cases: FakeCases, publisher: FakePublisher) -> None:
        self.cases = cases
        self.publisher = publisher


class FakeTransactions:
    """Every unit of work on one in-memory store; one whose block raises leaves the store as it was."""

    def __init__(self, *cases: Case, stale: Iterable[Case] = ()) -> None:
        self.uow = FakeUnitOfWork(FakeCases(cases, stale=stale), FakePublisher())
        # ``read_only`` of every unit of work opened, in order.
        self.opened: list[bool] = []
        self.committed = 0

    @property
    def cases(self) -> FakeCases:
        return self.uow.cases

    @property
    def publisher(self) -> FakePublisher:
        return self.uow.publisher

    @asynccontextmanager
    async def __call__(self, *, read_only: bool = False) -> AsyncIterator[FakeUnitOfWork]:
        self.opened.append(read_only)
        cases, timers = dict(self.cases.cases), dict(self.cases.timers)
        published = list(self.publisher.published)
        try:
            yield self.uow
        except BaseException:
            self.cases.cases, self.cases.timers = cases, timers
            self.publisher.published = published
            raise
        self.committed += 1
