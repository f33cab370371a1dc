"""The business gauges operators watch, recounted from the database (the only place the truth is),
so every instance reports the same numbers and a restart loses nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg

from services.handling import repository
from services.handling.domain import State
from shared.observability import ServiceMetrics

log = logging.getLogger(__name__)

OPEN_STATES = tuple(state for state in State if state not in (State.CLOSED, State.VOIDED))


class CaseGauges:
    def __init__(self, metrics: ServiceMetrics) -> None:
        self.open_cases = metrics.gauge(
            "open_cases", "Cases not yet closed (nor voided), by state.", ("state",)
        )
        self.overdue_cases = metrics.gauge(
            "overdue_cases", "Cases not yet closed and past their close-by time."
        )

    async def refresh(self, pool: asyncpg.Pool, schema: str, now: datetime) -> None:
        async with pool.acquire() as conn:
            counts, overdue = await repository.open_case_counts(conn, schema, now)
        for state in OPEN_STATES:
            self.open_cases.labels(state.value).set(counts.get(state.value, 0))
        self.overdue_cases.set(overdue)

    async def keep_fresh(
        self, pool: asyncpg.Pool, schema: str, clock: Callable[[], datetime], every_seconds: float
    ) -> None:
        while True:
            try:
                await self.refresh(pool, schema, clock())
            except Exception as exc:
                log.warning("could not refresh case gauges", extra={"error": repr(exc)[:300]})
            await asyncio.sleep(every_seconds)
