"""The deadline sweep: handling deadlines pass without an event, and "overdue, not handled" must move.

Every few seconds, the cases whose handling deadline has passed while scoring still counts them as not
yet overdue get the time advanced (``domain.advance_clock``), one transaction each, through the same
path as an event. Several instances may sweep at once: the fact row's lock makes the second a no-op.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg

from services.scoring.handlers import CaseEventHandler
from services.scoring.ports import Clock, Store, utc_now

log = logging.getLogger(__name__)


async def every(
    interval: float, job: Callable[[datetime], Awaitable[object]], what: str, clock: Clock
) -> None:
    """Run ``job(clock())`` every ``interval`` seconds until cancelled; a database that is away is retried."""
    while True:
        await asyncio.sleep(interval)
        try:
            await job(clock())
        except (OSError, asyncpg.PostgresError):
            log.exception(f"{what} failed; will try again")


class DeadlineSweep:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        repository: Store,
        handler: CaseEventHandler,
        interval_seconds: float,
        clock: Clock = utc_now,
        batch: int = 500,
    ) -> None:
        self._pool = pool
        self._repository = repository
        self._handler = handler
        self._interval = interval_seconds
        self._clock = clock
        self._batch = batch

    async def run(self) -> None:
        await every(self._interval, self.once, "deadline sweep", self._clock)

    async def once(self, now: datetime) -> int:
        """Sweep every case due by ``now``; how many changed."""
        swept = 0
        async with self._pool.acquire() as conn:
            while case_ids := await self._repository.due_for_sweep(conn, now, self._batch):
                for case_id in case_ids:
                    async with conn.transaction():
                        swept += await self._handler.sweep(conn, case_id, now)
                if len(case_ids) < self._batch:
                    break
        return swept
