"""Kafka plumbing shared by the services: producers, topic creation, dead letters.

Producers are idempotent with ``acks=all``: a send that returns means every in-sync replica has it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.events import KafkaRecord, derived_id, encode
from shared.events.dead_letters import DeadLetterRecorded
from shared.topics import ALL_TOPICS

log = logging.getLogger(__name__)


def make_producer(bootstrap: str, *, client_id: str, linger_ms: int = 5) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        # Bounded so that a dead broker surfaces as an error the caller can answer (503) instead of
        # a request hanging for the default two minutes.
        request_timeout_ms=10_000,
    )


async def send(producer: AIOKafkaProducer, record: KafkaRecord) -> None:
    """Send and wait for the broker's acknowledgement."""
    await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)


async def ensure_topics(
    bootstrap: str,
    *,
    partitions: int,
    replication_factor: int,
    prefix: str = "",
    internal: Sequence[str] = (),
) -> None:
    """Create the registry's topics if missing. Safe to run from every instance at every start.

    ``prefix`` namespaces the names (``<prefix>gridloop.reports``), for a stack sharing a cluster with
    another one, such as a test run beside other test runs. ``internal`` names a service's own topics
    (not in the registry) to create alongside, with the same prefix and partition count.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="gridloop-topic-setup")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=prefix + name, num_partitions=partitions, replication_factor=replication_factor)
            for name in [*(t.name for t in ALL_TOPICS), *internal]
            if prefix + name not in existing
        ]
        if missing:
            # Another instance may win the race: then the topic is there, which is all we need.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            log.info("created topics", extra={"topics": [t.name for t in missing]})
    finally:
        await admin.close()


async def connect_producer(
    bootstrap: str,
    *,
    client_id: str,
    partitions: int,
    replication_factor: int,
    prefix: str = "",
    internal: Sequence[str] = (),
    max_backoff_seconds: float = 5.0,
) -> AIOKafkaProducer:
    """Create the registry's topics and start an idempotent producer, waiting for the broker as long as
    it takes: a service started before Kafka comes up serves what it can (and says 503) meanwhile."""
    backoff = 0.5
    while True:
        producer: AIOKafkaProducer | None = None
        try:
            await ensure_topics(
                bootstrap,
                partitions=partitions,
                replication_factor=replication_factor,
                prefix=prefix,
                internal=internal,
            )
            producer = make_producer(bootstrap, client_id=client_id)
            await producer.start()
            log.info("connected to kafka", extra={"bootstrap": bootstrap, "client_id": client_id})
            return producer
        except Exception as exc:
            # A failed start leaves the client half-open: throw it away and build a fresh one.
            if producer is not None:
                with contextlib.suppress(Exception):
                    await producer.stop()
            log.warning(
                "kafka not reachable yet; retrying",
                extra={"bootstrap": bootstrap, "client_id": client_id, "error": repr(exc)[:300]},
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff_seconds)


async def broker_reachable(producer: AIOKafkaProducer | None) -> bool:
    """A readiness check that asks a broker, rather than trusting a client that connected once."""
    if producer is None:
        return False
    await asyncio.wait_for(producer.client.fetch_all_metadata(), 2)
    return True


def dead_letter_record(
    *,
    consumer: str,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...],
    error: str,
) -> KafkaRecord:
    """The dead letter for a message that can never be processed: original bytes and the reason."""

    def b64(raw: bytes | None) -> str | None:
        return None if raw is None else base64.b64encode(raw).decode()

    letter = DeadLetterRecorded(
        consumer=consumer,
        original_topic=topic,
        original_partition=partition,
        original_offset=offset,
        original_key_b64=b64(key),
        original_headers_b64={name: base64.b64encode(raw).decode() for name, raw in headers},
        original_value_b64=b64(value),
        error=error[:4000],
        recorded_at=datetime.now(UTC),
    )
    # One dead letter per (consumer, position): re-dead-lettering after a crash dedupes downstream.
    return encode(
        letter,
        source=f"/gridloop/{consumer}",
        event_id=derived_id("dead-letter", consumer, topic, partition, offset),
    )
