"""Transactional outbox: an event row is written in the same transaction as the state change it
reports, and a relay publishes it afterwards, at least once, with its stable event id.

Exactly one relay per schema publishes at a time (a PostgreSQL advisory lock elects it), so events
leave in the order they were committed; other instances stand by and take over if it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.events import KafkaRecord
from shared.observability import ServiceMetrics

log = logging.getLogger(__name__)


def outbox_ddl(schema: str) -> str:
    return f"""
    create table "{schema}".outbox (
        seq          bigserial primary key,
        event_id     text not null unique,
        topic        text not null,
        key          bytea not null,
        value        bytea not null,
        headers      jsonb not null,
        created_at   timestamptz not null default now(),
        published_at timestamptz
    );
    create index outbox_unpublished on "{schema}".outbox (seq) where published_at is null;
    """


async def enqueue(conn: asyncpg.Connection, schema: str, record: KafkaRecord) -> None:
    """Write the event inside the caller's transaction. A repeated event id is a no-op."""
    await enqueue_many(conn, schema, [record])


async def enqueue_many(conn: asyncpg.Connection, schema: str, records: list[KafkaRecord]) -> None:
    """Write events inside the caller's transaction, in one round trip and one notification, in the
    order given. A repeated event id is a no-op."""
    if not records:
        return
    await conn.executemany(
        f"""insert into "{schema}".outbox (event_id, topic, key, value, headers)
            values ($1, $2, $3, $4, $5::jsonb) on conflict (event_id) do nothing""",
        [
            (
                r.event_id,
                r.topic,
                r.key,
                r.value,
                json.dumps([[name, value.decode()] for name, value in r.headers]),
            )
            for r in records
        ],
    )
    await conn.execute("select pg_notify($1, '')", f"{schema}_outbox")


class OutboxRelay:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        schema: str,
        metrics: ServiceMetrics,
        batch_size: int = 500,
        idle_wait_seconds: float = 1.0,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._schema = schema
        self._metrics = metrics
        self._batch_size = batch_size
        self._idle_wait = idle_wait_seconds
        self._wake = asyncio.Event()
        self.pending = metrics.gauge(
            "outbox_pending_events", "Outbox events committed but not yet published."
        )

    async def run(self) -> None:
        """Lead when possible, publish until cancelled; survive database and broker outages."""
        while True:
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying", extra={"schema": self._schema})
                await asyncio.sleep(1)

    async def _lead(self) -> None:
        async with self._pool.acquire() as conn:
            lock = f"outbox-relay:{self._schema}"
            # Standby instances poll for the lock; the leader's death releases it with its session.
            while not await conn.fetchval("select pg_try_advisory_lock(hashtext($1))", lock):  # noqa: ASYNC110
                await asyncio.sleep(2)
            channel = f"{self._schema}_outbox"
            await conn.add_listener(channel, self._on_notify)
            try:
                while True:
                    published = await self.publish_batch(conn)
                    if published < self._batch_size:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), self._idle_wait)
                        self._wake.clear()
            finally:
                await conn.remove_listener(channel, self._on_notify)
                await conn.execute("select pg_advisory_unlock(hashtext($1))", lock)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            f"""select seq, topic, key, value, headers from "{self._schema}".outbox
                where published_at is null order by seq limit $1""",
            self._batch_size,
        )
        if rows:
            futures = [
                await self._producer.send(
                    row["topic"],
                    bytes(row["value"]),
                    key=bytes(row["key"]),
                    headers=[(name, value.encode()) for name, value in json.loads(row["headers"])],
                )
                for row in rows
            ]
            await asyncio.gather(*futures)
            # A crash here republishes the batch with the same event ids: consumers dedupe.
            await conn.execute(
                f'update "{self._schema}".outbox set published_at = now() where seq = any($1::bigint[])',
                [row["seq"] for row in rows],
            )
            for row in rows:
                self._metrics.events_produced.labels(row["topic"]).inc()
        self.pending.set(
            await conn.fetchval(f'select count(*) from "{self._schema}".outbox where published_at is null')
        )
        return len(rows)
