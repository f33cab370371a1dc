"""Publishing to Kafka with the shared idempotent producer, acknowledged before offsets move on.

`KafkaPublisher` is a mode Service added as a dependency of the faust app, so it starts (topics ensured,
producer started) before the app's consumer and agents, and stops after them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from mode import Service

from shared.events import KafkaRecord
from shared.kafka import broker_reachable, connect_producer
from shared.observability import ServiceMetrics

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0


class KafkaPublisher(Service):
    def __init__(
        self,
        *,
        bootstrap: str,
        client_id: str,
        partitions: int,
        replication_factor: int,
        metrics: ServiceMetrics,
        topic_prefix: str = "",
        internal_topics: Sequence[str] = (),
    ) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._partitions = partitions
        self._replication_factor = replication_factor
        self._metrics = metrics
        self._topic_prefix = topic_prefix
        self._internal_topics = tuple(internal_topics)
        self._producer: AIOKafkaProducer | None = None
        super().__init__()

    async def on_start(self) -> None:
        self._producer = await connect_producer(
            self._bootstrap,
            client_id=self._client_id,
            partitions=self._partitions,
            replication_factor=self._replication_factor,
            prefix=self._topic_prefix,
            # Before the consumer subscribes: faust ignores a subscribed topic that is missing then
            # ("Ignoring missing topic") until the next rebalance, and closures would go unread.
            internal=self._internal_topics,
            max_backoff_seconds=MAX_BACKOFF_SECONDS,
        )

    async def on_stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    @property
    def producer_started(self) -> bool:
        return self._producer is not None

    async def broker_reachable(self) -> bool:
        return await broker_reachable(self._producer)

    async def publish(self, records: Sequence[KafkaRecord]) -> None:
        """Send in order and wait for every acknowledgement; on failure send them all again.

        Resending is safe: the records carry deterministic ids, so consumers drop what already arrived.
        The caller's offsets are not committed while this waits, so nothing is skipped.
        """
        backoff = 0.25
        while True:
            failure = await self._send_all(records)
            if failure is None:
                break
            log.warning(
                "publishing failed; retrying", extra={"records": len(records), "error": repr(failure)}
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        for record in records:
            self._metrics.events_produced.labels(self._topic_prefix + record.topic).inc()

    async def publish_to_partitions(
        self, topic: str, items: Sequence[tuple[int, bytes, bytes | None]]
    ) -> None:
        """Send (partition, key, value) records to ``topic`` as given (no prefix: faust names its own
        changelog topics) and wait for every acknowledgement; on failure send them all again."""
        backoff = 0.25
        while True:
            failure = await self._send_to_partitions(topic, items)
            if failure is None:
                return
            log.warning("writing the changelog failed; retrying", extra={"error": repr(failure)})
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _send_to_partitions(
        self, topic: str, items: Sequence[tuple[int, bytes, bytes | None]]
    ) -> BaseException | None:
        producer = self._producer
        if producer is None:
            return RuntimeError("the producer is not started")
        try:
            deliveries = [
                await producer.send(topic, value, key=key, partition=partition)
                for partition, key, value in items
            ]
        except Exception as exc:
            return exc
        results = await asyncio.gather(*deliveries, return_exceptions=True)
        return next((result for result in results if isinstance(result, BaseException)), None)

    async def _send_all(self, records: Sequence[KafkaRecord]) -> BaseException | None:
        producer = self._producer
        if producer is None:
            return RuntimeError("the producer is not started")
        try:
            # `send` only enqueues (in order, so one case's events keep their order in its partition);
            # the returned futures resolve on the broker's acknowledgement.
            deliveries = [
                await producer.send(
                    self._topic_prefix + record.topic, record.value, key=record.key, headers=record.headers
                )
                for record in records
            ]
        except Exception as exc:
            return exc
        results = await asyncio.gather(*deliveries, return_exceptions=True)
        return next((result for result in results if isinstance(result, BaseException)), None)
