"""Read a topic from its current end: what is produced after `start()`, and nothing older.

Used by the integration tests, the end-to-end tests and the benchmarks to watch events go by.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared.events import Envelope, decode


class TopicTail:
    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )
        self._topic = topic

    async def start(self) -> None:
        await self._consumer.start()
        partitions = self._consumer.partitions_for_topic(self._topic)
        if not partitions:
            # A consumer that has not subscribed knows no topic's partitions until it asks.
            await self._consumer._client.force_metadata_update()
            partitions = self._consumer.partitions_for_topic(self._topic) or set()
        if not partitions:
            raise RuntimeError(f"topic {self._topic} does not exist")
        tps = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, before anything is produced
            await self._consumer.position(tp)

    async def records(self, timeout_ms: int = 200) -> list[ConsumerRecord]:
        batch = await self._consumer.getmany(timeout_ms=timeout_ms)
        return [message for messages in batch.values() for message in messages]

    async def collect(
        self, predicate: Callable[[Envelope], bool], count: int, within: float = 20.0
    ) -> list[Envelope]:
        """Envelopes matching ``predicate`` until ``count`` are seen or ``within`` seconds pass."""
        found: list[Envelope] = []
        deadline = asyncio.get_running_loop().time() + within
        while len(found) < count and asyncio.get_running_loop().time() < deadline:
            for message in await self.records(300):
                envelope = decode(message.headers, message.value)
                if predicate(envelope):
                    found.append(envelope)
        return found

    async def stop(self) -> None:
        await self._consumer.stop()
