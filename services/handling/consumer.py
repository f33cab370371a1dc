"""Kafka in: the handler ``shared.streams``' consumer calls for every case event, inside the transaction
that also records the event in the inbox (so that a redelivered event changes nothing)."""

from __future__ import annotations

import asyncpg

from services.handling import handlers
from services.handling.domain import DEFAULT_POLICY, HandlingPolicy
from services.handling.ports import Clock
from services.handling.repository import PgUnitOfWork
from shared.consuming import Handler, Outcome
from shared.events import Envelope


def case_event_handler(
    schema: str, clock: Clock, policy: HandlingPolicy = DEFAULT_POLICY, *, topic_prefix: str = ""
) -> Handler:
    async def handle(conn: asyncpg.Connection, envelope: Envelope) -> Outcome:
        return await handlers.on_case_event(
            PgUnitOfWork(conn, schema, topic_prefix), envelope, clock(), policy
        )

    return handle
