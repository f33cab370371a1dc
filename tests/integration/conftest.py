"""Real Kafka and PostgreSQL for integration tests, started by `make test` (scripts/stack.sh).

A missing broker or database is a failure, never a skip: a test that silently skips is a defect.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.events import Envelope, decode


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run integration tests through `make test`, which starts Kafka and "
            "PostgreSQL (or `GRIDLOOP_PROFILE=test scripts/stack.sh infra-up` and export it)"
        )
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _required("GRIDLOOP_TEST_KAFKA")


@pytest.fixture(scope="session")
def database_url() -> str:
    return _required("GRIDLOOP_TEST_DATABASE_URL")


@pytest.fixture
def unique() -> str:
    """A short unique suffix for group ids, schemas and ids in one test."""
    return uuid.uuid4().hex[:10]


class TopicTail:
    """Reads a topic from its current end: what a test produces after creating it, and nothing older."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )
        self._topic = topic

    async def start(self) -> None:
        await self._consumer.start()
        partitions = self._consumer.partitions_for_topic(self._topic)
        if partitions is None:
            await self._consumer._client.force_metadata_update()
            partitions = self._consumer.partitions_for_topic(self._topic) or set()
        tps = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, before the test produces anything
            await self._consumer.position(tp)

    async def collect(self, predicate, count: int, within: float = 20.0) -> list[Envelope]:
        """Envelopes matching ``predicate`` until ``count`` are seen or ``within`` seconds pass."""
        found: list[Envelope] = []
        deadline = asyncio.get_running_loop().time() + within
        while len(found) < count and asyncio.get_running_loop().time() < deadline:
            batch = await self._consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for message in messages:
                    envelope = decode(message.headers, message.value)
                    if predicate(envelope):
                        found.append(envelope)
        return found

    async def stop(self) -> None:
        await self._consumer.stop()


@pytest.fixture
async def tail(kafka_bootstrap: str) -> AsyncIterator[object]:
    tails: list[TopicTail] = []

    async def open_tail(topic: str) -> TopicTail:
        t = TopicTail(kafka_bootstrap, topic)
        await t.start()
        tails.append(t)
        return t

    yield open_tail
    for t in tails:
        await t.stop()
