"""What handling's handlers and services need from the world, as ``Protocol``s.

``bootstrap.py`` wires PostgreSQL adapters into them (``repository.py``, ``publisher.py``,
``queries.py``); the unit tests wire in-memory fakes (``tests/unit/handling/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from services.handling.domain.access import Viewer
from services.handling.queries import CaseFilter

# The time the handlers act at: the wall clock in service, a fixed or moving one in tests.
Clock = Callable[[], datetime]


class StreamRows(Protocol):
    """The case stream's table: its newest position, and the rows after a position a viewer may see."""

    async def head(self) -> int: ...

    async def after(
        self, *, viewer: Viewer, wanted: CaseFilter, position: int, limit: int
    ) -> tuple[list[Mapping[str, Any]], int]: ...
