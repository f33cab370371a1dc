"""Handling's Kafka side: topics, the producer, the case-events consumer and the outbox relay.

Connected in the background so the HTTP side serves (and ``/readyz`` answers 503) while Kafka is down;
steps people take meanwhile wait in the outbox and leave once the relay can publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from services.handling.settings import HandlingSettings
from shared.consuming import EffectivelyOnceConsumer, Handler
from shared.kafka import ensure_topics, make_producer
from shared.observability import ServiceMetrics
from shared.outbox import OutboxRelay
from shared.topics import CASE_EVENTS

log = logging.getLogger(__name__)


class Messaging:
    def __init__(
        self,
        *,
        settings: HandlingSettings,
        pool: asyncpg.Pool,
        metrics: ServiceMetrics,
        handler: Handler,
        retry_seconds: float = 2.0,
    ) -> None:
        self._settings = settings
        self._pool = pool
        self._metrics = metrics
        self._handler = handler
        self._retry_seconds = retry_seconds
        self.producer: AIOKafkaProducer | None = None
        self.consumer: EffectivelyOnceConsumer | None = None
        self.relay: OutboxRelay | None = None

    @property
    def producer_connected(self) -> bool:
        return self.producer is not None

    @property
    def consumer_started(self) -> bool:
        return self.consumer is not None and self.consumer.started

    async def run(self) -> None:
        """Connect (retrying until Kafka answers), then consume and relay until cancelled; if either
        dies of something unexpected, start over with fresh clients rather than stay half-alive."""
        while True:
            try:
                await self._connect_and_serve()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("kafka side failed; reconnecting")
                await self.close()
                self.producer = self.consumer = self.relay = None
                await asyncio.sleep(self._retry_seconds)

    async def _connect_and_serve(self) -> None:
        self.producer = await self._connect()
        self.consumer = EffectivelyOnceConsumer(
            bootstrap=self._settings.kafka_bootstrap,
            group_id=self._settings.consumer_group,
            topics=(self._settings.topic_prefix + CASE_EVENTS.name,),
            pool=self._pool,
            schema=self._settings.db_schema,
            handler=self._handler,
            dead_letters=self.producer,
            metrics=self._metrics,
            dead_letter_prefix=self._settings.topic_prefix,
        )
        self.relay = OutboxRelay(
            pool=self._pool, producer=self.producer, schema=self._settings.db_schema, metrics=self._metrics
        )
        log.info("kafka connected; consuming case events and relaying the outbox")
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.consumer.run(), name="handling-consumer")
            tasks.create_task(self.relay.run(), name="handling-outbox-relay")

    async def _connect(self) -> AIOKafkaProducer:
        settings = self._settings
        while True:
            producer: AIOKafkaProducer | None = None
            try:
                await ensure_topics(
                    settings.kafka_bootstrap,
                    partitions=settings.topic_partitions,
                    replication_factor=settings.kafka_replication_factor,
                    prefix=settings.topic_prefix,
                )
                producer = make_producer(settings.kafka_bootstrap, client_id="gridloop-handling")
                await producer.start()
                return producer
            except Exception as exc:
                # A failed start leaves the client half-open: throw it away and build a fresh one.
                if producer is not None:
                    with contextlib.suppress(Exception):
                        await producer.stop()
                log.warning(
                    "kafka not reachable yet; retrying",
                    extra={"bootstrap": settings.kafka_bootstrap, "error": repr(exc)[:300]},
                )
                await asyncio.sleep(self._retry_seconds)

    async def close(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
