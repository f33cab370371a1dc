"""The test stack itself: the broker and database `make test` starts really work for our clients.

Runs against GRIDLOOP_TEST_KAFKA / GRIDLOOP_TEST_DATABASE_URL (fixtures in conftest.py fail, never skip,
when they are missing).
"""

from __future__ import annotations

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def test_kafka_round_trip_with_idempotent_producer_and_committed_group(
    kafka_bootstrap: str, unique: str
) -> None:
    topic = f"test.infra.{unique}"
    group = f"test-infra-{unique}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        # The broker does not auto-create topics: creating one explicitly is part of the contract.
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        sent = [f"m{i}".encode() for i in range(10)]
        for i, value in enumerate(sent):
            await producer.send(topic, value, key=f"k{i % 3}".encode())
        await producer.flush()
    finally:
        await producer.stop()

    async def consume(limit: int) -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        got: list[bytes] = []
        try:
            for _ in range(40):
                if len(got) >= limit:
                    break
                batch = await consumer.getmany(timeout_ms=500, max_records=limit - len(got))
                for tp, records in batch.items():
                    got.extend(r.value for r in records if r.value is not None)
                    await consumer.commit({tp: records[-1].offset + 1})
        finally:
            await consumer.stop()
        return got

    first = await consume(4)
    # A second member of the group starts from the committed offsets: nothing lost, nothing repeated.
    rest = await consume(6)
    assert len(first) == 4
    assert sorted(first + rest) == sorted(sent)

    check = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False)
    await check.start()
    try:
        committed = {p: await check.committed(TopicPartition(topic, p)) for p in (0, 1)}
    finally:
        await check.stop()
    assert sum(offset or 0 for offset in committed.values()) == len(sent)


async def test_postgres_answers_select_1(database_url: str) -> None:
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        assert await conn.fetchval("select 1") == 1
        # fsync stays on in the private cluster: durability tests rely on it.
        assert await conn.fetchval("show fsync") == "on"
    finally:
        await conn.close()
