"""Handling's own Prometheus metrics (``gridloop_handling_…``), besides the HTTP and Kafka ones every
service has (``shared.observability``).

The case gauges are recounted from the database (the only place the truth is), so every instance
reports the same numbers and a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import asyncpg

from services.handling import queries
from services.handling.domain import IllegalTransition, NotPermitted, RuleBroken, State, Step
from services.handling.domain.routing import NoHolder
from services.handling.handlers import CaseHidden, CaseNotFound
from services.handling.ports import Clock
from shared.observability import ServiceMetrics

log = logging.getLogger(__name__)

OPEN_STATES = tuple(state for state in State if state not in (State.CLOSED, State.VOIDED))

# How a step that was refused counts: by the kind of refusal, the first class that matches.
REFUSALS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str], ...] = (
    ((IllegalTransition, RuleBroken, NoHolder), "illegal"),
    ((NotPermitted, CaseHidden), "forbidden"),
    (CaseNotFound, "not_found"),
)


class HandlingMetrics:
    def __init__(self, service: ServiceMetrics) -> None:
        self.service = service
        self.steps = service.counter(
            "case_steps_total",
            "Steps people asked to take on cases, by action and outcome "
            "(taken, illegal, forbidden, not_found).",
            ("action", "outcome"),
        )
        self.timers_fired = service.counter(
            "timers_fired_total",
            "Durable timers fired, by kind (remind, yellow_card, red_card, escalate, resume) and outcome.",
            ("kind", "outcome"),
        )
        self.open_cases = service.gauge(
            "open_cases", "Cases not yet closed (nor voided), by state.", ("state",)
        )
        self.overdue_cases = service.gauge(
            "overdue_cases", "Cases not yet closed and past their close-by time."
        )
        self.stream_clients = service.gauge("stream_clients", "Clients connected to the case stream.")
        self.stream_events_sent = service.counter(
            "stream_events_sent_total", "Case events sent to case-stream clients."
        )

    @contextmanager
    def counting_step(self, step: Step) -> Iterator[None]:
        """Counts the step taken, or how it was refused; the refusal goes on to the caller."""
        outcome = "taken"
        try:
            yield
        except Exception as exc:
            outcome = next((name for kinds, name in REFUSALS if isinstance(exc, kinds)), outcome)
            raise
        finally:
            self.steps.labels(step.value, outcome).inc()

    def timer_fired(self, kind: str, outcome: str) -> None:
        self.timers_fired.labels(kind, outcome).inc()

    async def refresh_case_gauges(self, pool: asyncpg.Pool, schema: str, now: datetime) -> None:
        async with pool.acquire() as conn:
            counts, overdue = await queries.open_case_counts(conn, schema, now)
        for state in OPEN_STATES:
            self.open_cases.labels(state.value).set(counts.get(state.value, 0))
        self.overdue_cases.set(overdue)

    async def keep_case_gauges_fresh(
        self, pool: asyncpg.Pool, schema: str, clock: Clock, every_seconds: float
    ) -> None:
        while True:
            try:
                await self.refresh_case_gauges(pool, schema, clock())
            except Exception as exc:
                log.warning("could not refresh case gauges", extra={"error": repr(exc)[:300]})
            await asyncio.sleep(every_seconds)
