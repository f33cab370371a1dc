"""The durable timers' runner: sleep until the earliest unfired timer, fire it, sleep again.

Timers are rows (``CaseRepository.arm_timers`` writes them with every step and notifies
``<schema>_timers``), so a restart loses none: the runner reads the earliest due moment from the
database. It sleeps exactly until then, or until a notification says a nearer timer may exist; it never
scans on a fixed period. Each timer is claimed (marked fired) in the same transaction as the step it
takes (``handlers.fire_timer``), so every timer fires once across instances and restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg

from services.handling import handlers
from services.handling.domain import HandlingPolicy
from services.handling.domain.supervision import Timer
from services.handling.repository import CaseRepository, PgTransactions
from shared.city import City

log = logging.getLogger(__name__)

# Longest single sleep: a safety net against a lost notification, not how timers are found.
MAX_SLEEP_SECONDS = 300.0


class TimerRunner:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        transactions: PgTransactions,
        schema: str,
        policy: HandlingPolicy,
        city: City,
        clock: Callable[[], datetime],
        on_fired: Callable[[str, str], None] | None = None,
    ) -> None:
        self._pool = pool
        self._transactions = transactions
        self._schema = schema
        self._policy = policy
        self._city = city
        self._clock = clock
        self._on_fired = on_fired or (lambda kind, outcome: None)
        self._wake = asyncio.Event()

    async def run(self) -> None:
        """Fire timers until cancelled; survive database outages."""
        while True:
            try:
                await self._listen_and_fire()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("timer runner failed; retrying", extra={"schema": self._schema})
                await asyncio.sleep(1)

    async def _listen_and_fire(self) -> None:
        channel = f"{self._schema}_timers"
        async with self._pool.acquire() as listener:
            await listener.add_listener(channel, self._notified)
            try:
                while True:
                    self._wake.clear()
                    while await self.fire_one():
                        pass
                    await self._sleep_until_next(listener)
            finally:
                await listener.remove_listener(channel, self._notified)

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _sleep_until_next(self, conn: asyncpg.Connection) -> None:
        due = await CaseRepository(conn, self._schema).next_timer_due()
        wait = MAX_SLEEP_SECONDS if due is None else (due - self._clock()).total_seconds()
        if wait <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), min(wait, MAX_SLEEP_SECONDS))

    async def fire_one(self) -> bool:
        """Fire the earliest due timer, if any; False when none is due."""
        now = self._clock()
        async with self._transactions() as uow:
            row = await uow.cases.claim_due_timer(now)
            if row is None:
                return False
            timer = Timer(kind=row["kind"], due_at=row["due_at"])
            outcome = await handlers.fire_timer(
                uow, case_id=row["case_id"], timer=timer, now=now, policy=self._policy, city=self._city
            )
        self._on_fired(timer.kind, outcome)
        log.info(
            "timer fired",
            extra={
                "case_id": str(row["case_id"]),
                "kind": timer.kind,
                "due_at": timer.due_at.isoformat(),
                "outcome": outcome,
            },
        )
        return True
