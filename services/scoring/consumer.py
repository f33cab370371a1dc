"""The Kafka side of scoring: case events in (effectively once), assessment updates out (outbox relay).

Kafka may be down when scoring starts: the HTTP side serves what is in PostgreSQL, readiness says 503,
and this keeps trying to connect in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.consuming import EffectivelyOnceConsumer, Handler
from shared.kafka import ensure_topics, make_producer
from shared.observability import ServiceMetrics
from shared.outbox import OutboxRelay

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0


class ScoringStreams:
    def __init__(
        self,
        *,
        bootstrap: str,
        topic: str,
        group_id: str,
        partitions: int,
        replication_factor: int,
        pool: asyncpg.Pool,
        schema: str,
        handler: Handler,
        metrics: ServiceMetrics,
    ) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._group_id = group_id
        self._partitions = partitions
        self._replication_factor = replication_factor
        self._pool = pool
        self._schema = schema
        self._handler = handler
        self._metrics = metrics
        self._producer: AIOKafkaProducer | None = None
        self._consumer: EffectivelyOnceConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scoring-streams")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._producer is not None:
            await self._producer.stop()

    async def _run(self) -> None:
        producer = await self._connect()
        relay = OutboxRelay(pool=self._pool, producer=producer, schema=self._schema, metrics=self._metrics)
        await asyncio.gather(self._consume(producer), relay.run())

    async def _connect(self) -> AIOKafkaProducer:
        while True:
            producer = make_producer(self._bootstrap, client_id="gridloop-scoring")
            try:
                await ensure_topics(
                    self._bootstrap, partitions=self._partitions, replication_factor=self._replication_factor
                )
                await producer.start()
            except Exception as exc:
                log.warning("kafka not reachable; retrying", extra={"error": str(exc)})
                with contextlib.suppress(Exception):
                    await producer.stop()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            log.info("connected to kafka", extra={"bootstrap": self._bootstrap})
            self._producer = producer
            return producer

    async def _consume(self, producer: AIOKafkaProducer) -> None:
        """Run the consumer; should it ever stop on an unexpected error, start a fresh one."""
        while True:
            self._consumer = EffectivelyOnceConsumer(
                bootstrap=self._bootstrap,
                group_id=self._group_id,
                topics=(self._topic,),
                pool=self._pool,
                schema=self._schema,
                handler=self._handler,
                dead_letters=producer,
                metrics=self._metrics,
            )
            try:
                await self._consumer.run()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer stopped; starting a new one", extra={"topic": self._topic})
                await asyncio.sleep(RETRY_SECONDS)

    async def producer_ready(self) -> bool:
        if self._producer is None:
            return False
        await asyncio.wait_for(self._producer.client.fetch_all_metadata(), 2)
        return True

    async def consumer_ready(self) -> bool:
        return self._consumer is not None and self._consumer.started
