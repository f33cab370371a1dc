"""The durable timers' runner: sleep until the earliest unfired timer, fire it, sleep again.

Timers are rows (``repository.replace_timers`` writes them with every step and notifies
``<schema>_timers``), so a restart loses none: the runner reads the earliest due moment from the
database. It sleeps exactly until then, or until a notification says a nearer timer may exist; it never
scans on a fixed period. Each timer is claimed (marked fired) in the same transaction as the step it
takes, skipping rows another instance holds, so every timer fires once across instances and restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import asyncpg

from services.handling import handlers, repository
from services.handling.domain import (
    SYSTEM_ROLE,
    Actor,
    Command,
    Escalate,
    HandlingPolicy,
    LifecycleError,
    apply,
    routing,
)
from services.handling.domain.supervision import Timer, supervision_command
from shared.city import City

log = logging.getLogger(__name__)

TIMERS_ACTOR = Actor(id=handlers.SOURCE, role=SYSTEM_ROLE)
# Longest single sleep: a safety net against a lost notification, not how timers are found.
MAX_SLEEP_SECONDS = 300.0


class TimerRunner:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        schema: str,
        policy: HandlingPolicy,
        city: City,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
        on_fired: Callable[[str, str], None] | None = None,
    ) -> None:
        self._pool = pool
        self._schema = schema
        self._policy = policy
        self._city = city
        self._clock = clock
        self._topic_prefix = topic_prefix
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
        due = await repository.next_timer_due(conn, self._schema)
        wait = MAX_SLEEP_SECONDS if due is None else (due - self._clock()).total_seconds()
        if wait <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), min(wait, MAX_SLEEP_SECONDS))

    async def fire_one(self) -> bool:
        """Fire the earliest due timer, if any; False when none is due."""
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            row = await repository.claim_due_timer(conn, self._schema, now)
            if row is None:
                return False
            timer = Timer(kind=row["kind"], due_at=row["due_at"])
            outcome = await self._fire(conn, row["case_id"], timer, now)
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

    async def _fire(self, conn: asyncpg.Connection, case_id: UUID, timer: Timer, now: datetime) -> str:
        case = await repository.load_case(conn, self._schema, case_id, for_update=True)
        if case is None:
            return "no_case"
        command: Command
        if timer.kind == "escalate":
            above = self._policy.tier_above(case.tier)
            if above is None:
                return "top_tier"
            try:
                holder = routing.holder_at_tier(self._city, case, above)
            except routing.NoHolder as exc:
                log.warning(
                    "cannot escalate automatically", extra={"case_id": str(case.id), "error": str(exc)}
                )
                return "no_holder"
            note = f"unresolved at red ({timer.due_at.isoformat()}): escalated by policy"
            command = Escalate(holder=holder, automatic=True, note=note)
        else:
            command = supervision_command(timer)
        try:
            after, raised = apply(case, command, TIMERS_ACTOR, now, self._policy)
        except LifecycleError as exc:
            # The case moved on since the timer was armed (e.g. resolved): nothing to do, and spent.
            log.info(
                "timer no longer applies",
                extra={"case_id": str(case.id), "kind": timer.kind, "reason": str(exc)},
            )
            return "stale"
        await handlers.commit_step(
            conn,
            self._schema,
            case,
            after,
            raised,
            now=now,
            topic_prefix=self._topic_prefix,
            policy=self._policy,
        )
        return "fired"
