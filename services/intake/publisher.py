"""The Kafka side of intake: an idempotent producer that may be down, and says so."""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import AIOKafkaProducer

from services.intake.ports import BrokerUnavailable
from shared.events import KafkaRecord
from shared.kafka import broker_reachable, connect_producer


class ReportPublisher:
    """Starts (and keeps retrying to start) a producer in the background, so intake serves 503s
    instead of refusing to boot while Kafka is down."""

    def __init__(
        self, *, bootstrap: str, ack_timeout: float, partitions: int, replication_factor: int
    ) -> None:
        self._bootstrap = bootstrap
        self._ack_timeout = ack_timeout
        self._partitions = partitions
        self._replication_factor = replication_factor
        self._producer: AIOKafkaProducer | None = None
        self._starting: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._starting = asyncio.create_task(self._connect())

    async def _connect(self) -> None:
        self._producer = await connect_producer(
            self._bootstrap,
            client_id="gridloop-intake",
            partitions=self._partitions,
            replication_factor=self._replication_factor,
        )

    async def stop(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, record: KafkaRecord) -> None:
        """Return only once every in-sync replica has the record; else raise `BrokerUnavailable`."""
        if self._producer is None:
            raise BrokerUnavailable("not connected to Kafka yet")
        try:
            await asyncio.wait_for(
                self._producer.send_and_wait(
                    record.topic, record.value, key=record.key, headers=record.headers
                ),
                self._ack_timeout,
            )
        except Exception as exc:
            raise BrokerUnavailable(str(exc) or type(exc).__name__) from exc

    async def reachable(self) -> bool:
        return await broker_reachable(self._producer)
