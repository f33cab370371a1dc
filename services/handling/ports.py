"""What handling's handlers and services need from the world, as ``Protocol``s.

``bootstrap.py`` wires the PostgreSQL adapters into them (``repository.py``: the cases and the unit of
work; ``publisher.py``: the outbox; ``queries.py``: the stream's table); the unit tests wire in-memory
fakes (``tests/unit/handling/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from services.handling.domain import Case, Raised
from services.handling.domain.access import Viewer
from services.handling.domain.supervision import Timer
from services.handling.queries import CaseFilter

# The time the handlers act at: the wall clock in service, a fixed or moving one in tests.
Clock = Callable[[], datetime]


class ConcurrentUpdate(Exception):
    """The case changed between reading and writing it."""


class Cases(Protocol):
    """The cases, inside the unit of work's transaction."""

    async def get(self, case_id: UUID, *, for_update: bool = False) -> Case | None:
        """The case with its whole timeline; locked until the transaction ends when ``for_update``."""

    async def add(self, case: Case) -> bool:
        """Keep a new case; False (and nothing written) when a case of that id exists already."""

    async def save(self, before: Case, after: Case) -> None:
        """Write the case as a step left it, with the timeline entries it added; ``ConcurrentUpdate``
        when the stored case is no longer ``before``."""

    async def arm_timers(self, case_id: UUID, timers: Iterable[Timer]) -> None:
        """The case's unfired timers become ``timers``; fired ones stay fired."""


class Publisher(Protocol):
    async def publish(self, raised: Sequence[Raised], *, at: datetime) -> None:
        """Publish the events once the unit of work commits, and never if it does not."""


class UnitOfWork(Protocol):
    """One transaction's view of the cases and of what it publishes."""

    @property
    def cases(self) -> Cases: ...

    @property
    def publisher(self) -> Publisher: ...


class Transactions(Protocol):
    def __call__(self, *, read_only: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work: committed when the block ends, rolled back when it raises. ``read_only``:
        one consistent snapshot for reads, and no writes."""


class StreamRows(Protocol):
    """The case stream's table: its newest position, and the rows after a position a viewer may see."""

    async def head(self) -> int: ...

    async def after(
        self, *, viewer: Viewer, wanted: CaseFilter, position: int, limit: int
    ) -> tuple[list[Mapping[str, Any]], int]: ...
