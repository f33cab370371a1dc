"""Readiness probe for a Kafka broker: a real produce, consume and group commit, not an open port.

Used by ``scripts/kafka.sh wait``. Exits 0 when one round trip succeeded within ``--timeout`` seconds,
1 with the reason on stderr otherwise. Creates its own one-partition topic (auto-creation is off).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

TOPIC = "gridloop.infra.healthcheck"
GROUP = "gridloop-infra-healthcheck"


async def ensure_topic(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        if TOPIC in await admin.list_topics():
            return
        # Two probes racing to create it is fine.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics([NewTopic(TOPIC, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def roundtrip(bootstrap: str) -> None:
    await ensure_topic(bootstrap)
    token = uuid.uuid4().hex.encode()
    # The same settings intake relies on: idempotence forces acks=all.
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, request_timeout_ms=5000)
    await producer.start()
    try:
        meta = await producer.send_and_wait(TOPIC, token, key=b"probe")
    finally:
        await producer.stop()

    tp = TopicPartition(meta.topic, meta.partition)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=GROUP,
        enable_auto_commit=False,
        request_timeout_ms=5000,
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        consumer.seek(tp, meta.offset)
        record = await consumer.getone(tp)
        if record.value != token:
            raise RuntimeError(f"read back {record.value!r} at offset {record.offset}, expected {token!r}")
        # Committing goes through the group coordinator, i.e. the offsets topic exists and has a leader.
        await consumer.commit({tp: record.offset + 1})
    finally:
        await consumer.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--timeout", type=float, default=15.0)
    args = parser.parse_args()
    try:
        asyncio.run(asyncio.wait_for(roundtrip(args.bootstrap), args.timeout))
    except TimeoutError:
        print(f"no round trip through {args.bootstrap} within {args.timeout:g}s", file=sys.stderr)
        return 1
    except Exception as exc:  # any failure means "not ready"; say which
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
