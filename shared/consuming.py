"""Effectively-once consumption into PostgreSQL.

At-least-once delivery from Kafka plus idempotent effects: each event's (source, id) is inserted into
the service's inbox in the same transaction as the event's effect, and offsets are committed to Kafka
only after that transaction commits. A redelivered event finds its inbox row and changes nothing.
Messages that can never be processed go to the dead-letter topic with the reason; the consumer moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Literal

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.events import Envelope, UndecodableEvent, decode
from shared.kafka import dead_letter_record, send
from shared.observability import ServiceMetrics

log = logging.getLogger(__name__)

Outcome = Literal["processed", "ignored"]
Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[Outcome]]
# Optional: a handler with a ``batch(conn)`` async context manager has it entered around each partition
# batch, inside the batch's transaction, so it can do once per batch what would otherwise be done per
# event (scoring re-assesses each result a batch moved once, at the end of the batch).
BatchScope = Callable[[asyncpg.Connection], AbstractAsyncContextManager[None]]


class PoisonEvent(Exception):
    """A decodable event that can never be applied (e.g. refers to a case that cannot exist)."""


def inbox_ddl(schema: str) -> str:
    return f"""
    create table "{schema}".inbox (
        source      text not null,
        event_id    text not null,
        received_at timestamptz not null default now(),
        primary key (source, event_id)
    );
    """


class EffectivelyOnceConsumer:
    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        topics: tuple[str, ...],
        pool: asyncpg.Pool,
        schema: str,
        handler: Handler,
        dead_letters: AIOKafkaProducer,
        metrics: ServiceMetrics,
        max_records: int = 500,
        dead_letter_prefix: str = "",
    ) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=group_id,
            client_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        self._pool = pool
        self._schema = schema
        self._handler = handler
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._group_id = group_id
        self._max_records = max_records
        # A stack whose topics carry a prefix (a test run sharing a broker) dead-letters into its own.
        self._dead_letter_prefix = dead_letter_prefix
        self.started = False

    async def run(self) -> None:
        while True:
            try:
                await self._consumer.start()
                break
            except Exception:
                log.warning("kafka not reachable yet; consumer retrying", extra={"group": self._group_id})
                await asyncio.sleep(2)
        self.started = True
        try:
            while True:
                batch = await self._consumer.getmany(timeout_ms=500, max_records=self._max_records)
                for tp, messages in batch.items():
                    await self._process_partition(tp, messages)
                await self._record_lag()
        finally:
            self.started = False
            await self._consumer.stop()

    async def _process_partition(self, tp: TopicPartition, messages: list[ConsumerRecord]) -> None:
        """One database transaction for the partition's whole batch: one commit instead of one per
        event is what lets a consumer keep up (PostgreSQL's commit waits for the disk).

        Each event runs in a savepoint, so one that turns out to be poison is rolled back alone and
        dead-lettered; the rest of the batch commits. Any other failure (database down, a deadlock)
        rolls the whole batch back: rewind to its start and try again after a pause.
        """
        started = time.perf_counter()
        outcomes: list[str] = []
        poison: list[tuple[ConsumerRecord, str]] = []
        scope: BatchScope | None = getattr(self._handler, "batch", None)
        try:
            async with (
                self._pool.acquire() as conn,
                conn.transaction(),
                scope(conn) if scope is not None else contextlib.nullcontext(),
            ):
                for message in messages:
                    try:
                        envelope = decode(message.headers, message.value)
                        async with conn.transaction():  # a savepoint
                            outcomes.append(await self._apply(conn, envelope))
                    except (UndecodableEvent, PoisonEvent) as exc:
                        poison.append((message, str(exc)))
                        outcomes.append("dead_lettered")
            # After the commit and before the offsets move: a crash in between re-reads the batch,
            # finds its events in the inbox, and dead-letters the same poison under the same ids.
            for message, error in poison:
                await self._dead_letter(message, error)
        except Exception:
            log.exception(
                "processing failed; will retry the batch",
                extra={"topic": tp.topic, "partition": tp.partition, "offset": messages[0].offset},
            )
            self._consumer.seek(tp, messages[0].offset)
            await asyncio.sleep(1)
            return
        await self._consumer.commit({tp: messages[-1].offset + 1})
        for outcome in outcomes:
            self._metrics.events_consumed.labels(tp.topic, outcome).inc()
        elapsed = time.perf_counter() - started
        for _ in messages:
            self._metrics.processing_seconds.labels(tp.topic).observe(elapsed / len(messages))

    async def _apply(self, conn: asyncpg.Connection, envelope: Envelope) -> str:
        fresh = await conn.fetchval(
            f"""insert into "{self._schema}".inbox (source, event_id) values ($1, $2)
                on conflict do nothing returning true""",
            envelope.source,
            envelope.id,
        )
        if not fresh:
            return "duplicate"
        return await self._handler(conn, envelope)

    async def _dead_letter(self, message: ConsumerRecord, error: str) -> None:
        log.warning(
            "dead-lettering message",
            extra={"topic": message.topic, "offset": message.offset, "error": error[:500]},
        )
        record = dead_letter_record(
            consumer=self._group_id,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            headers=message.headers,
            error=error,
        )
        if self._dead_letter_prefix:
            record = replace(record, topic=self._dead_letter_prefix + record.topic)
        await send(self._dead_letters, record)
        self._metrics.events_produced.labels(record.topic).inc()

    async def _record_lag(self) -> None:
        lag: dict[str, int] = {}
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue  # nothing fetched from this partition yet
            position = await self._consumer.position(tp)
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, highwater - position)
        for topic, value in lag.items():
            self._metrics.consumer_lag.labels(topic).set(value)
