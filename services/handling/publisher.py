"""Kafka out, through the outbox: a step's events are rows written in the step's own transaction, which
``shared.outbox``'s relay publishes in commit order once it commits (``ports.Publisher``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import asyncpg

from services.handling.domain import Raised
from services.handling.domain.events import SOURCE
from shared.events import encode
from shared.outbox import enqueue


class OutboxPublisher:
    def __init__(self, conn: asyncpg.Connection, schema: str, topic_prefix: str = "") -> None:
        self._conn = conn
        self._schema = schema
        self._topic_prefix = topic_prefix

    async def publish(self, raised: Sequence[Raised], *, at: datetime) -> None:
        for event in raised:
            record = encode(event.event, source=SOURCE, event_id=event.event_id, time=at)
            await enqueue(self._conn, self._schema, replace(record, topic=self._topic_prefix + record.topic))
