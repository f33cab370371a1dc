"""The Kafka side of a service that keeps its state in PostgreSQL: events in through an
effectively-once consumer, events out through the transactional outbox's relay.

Connected in the background so the HTTP side serves (and ``/readyz`` answers 503) while Kafka is down;
what people do meanwhile waits in the outbox and leaves once the relay can publish. Should the consumer
or the relay die of something unexpected, everything is rebuilt from fresh clients rather than left
half-alive.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.consuming import EffectivelyOnceConsumer, Handler
from shared.kafka import broker_reachable, connect_producer
from shared.observability import ServiceMetrics
from shared.outbox import OutboxRelay


@dataclass(frozen=True)
class StreamsConfig:
    service: str
    bootstrap: str
    group_id: str
    topics: tuple[str, ...]
    schema: str
    partitions: int
    replication_factor: int
    topic_prefix: str = ""
    retry_seconds: float = 2.0


log = logging.getLogger(__name__)


class ConsumeAndRelay:
    def __init__(
        self, config: StreamsConfig, *, pool: asyncpg.Pool, handler: Handler, metrics: ServiceMetrics
    ) -> None:
        self._config = config
        self._pool = pool
        self._handler = handler
        self._metrics = metrics
        self.producer: AIOKafkaProducer | None = None
        self.consumer: EffectivelyOnceConsumer | None = None

    async def kafka_ready(self) -> bool:
        return await broker_reachable(self.producer)

    async def consumer_ready(self) -> bool:
        return self.consumer is not None and self.consumer.started

    async def run(self) -> None:
        """Connect, then consume and relay until cancelled."""
        while True:
            try:
                await self._connect_and_serve()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("kafka side failed; reconnecting", extra={"service": self._config.service})
                await self.close()
                await asyncio.sleep(self._config.retry_seconds)

    async def _connect_and_serve(self) -> None:
        config = self._config
        self.producer = await connect_producer(
            config.bootstrap,
            client_id=f"gridloop-{config.service}",
            partitions=config.partitions,
            replication_factor=config.replication_factor,
            prefix=config.topic_prefix,
        )
        self.consumer = EffectivelyOnceConsumer(
            bootstrap=config.bootstrap,
            group_id=config.group_id,
            topics=config.topics,
            pool=self._pool,
            schema=config.schema,
            handler=self._handler,
            dead_letters=self.producer,
            metrics=self._metrics,
            dead_letter_prefix=config.topic_prefix,
        )
        relay = OutboxRelay(
            pool=self._pool, producer=self.producer, schema=config.schema, metrics=self._metrics
        )
        log.info("kafka connected; consuming and relaying the outbox", extra={"service": config.service})
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.consumer.run(), name=f"{config.service}-consumer")
            tasks.create_task(relay.run(), name=f"{config.service}-outbox-relay")

    async def close(self) -> None:
        producer, self.producer, self.consumer = self.producer, None, None
        if producer is not None:
            await producer.stop()
