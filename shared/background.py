"""A service's background jobs (consumers, relays, timers, sweeps) for as long as its lifespan runs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def in_background(jobs: Mapping[str, Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    """Run each job as a task of its name; on the way out cancel them all and wait until each has ended,
    so nothing a job holds (a connection, a lock) outlives the clients the service closes next."""
    tasks = [asyncio.create_task(job, name=name) for name, job in jobs.items()]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
