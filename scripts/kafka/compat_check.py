"""Does this broker really work with the project's clients (aiokafka 0.14, faust-streaming 0.15.3)?

Run against a started broker when choosing or bumping the Kafka version (scripts/kafka/README.md):

    GRIDLOOP_PROFILE=test scripts/kafka.sh start && GRIDLOOP_PROFILE=test scripts/kafka.sh wait
    .venv/bin/python scripts/kafka/compat_check.py --bootstrap 127.0.0.1:19092

Checks, each on fresh topics: admin create/list/describe/delete; an idempotent (acks=all) producer; a
consumer group with manual commits that a second member resumes from; a transactional producer read
with read_committed (committed visible, aborted not); a faust app that declares its own topic and table
changelog (auto-creation is off on our broker), consumes one message and updates the table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

RUN = uuid.uuid4().hex[:8]


async def check_admin(bootstrap: str) -> str:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [f"compat.{RUN}.admin", f"compat.{RUN}.data"]
        await admin.create_topics([NewTopic(n, num_partitions=3, replication_factor=1) for n in names])
        listed = await admin.list_topics()
        assert set(names) <= set(listed), listed
        described = await admin.describe_topics([names[1]])
        parts = described[0]["partitions"]
        assert len(parts) == 3, described
        await admin.delete_topics([names[0]])
        groups = await admin.list_consumer_groups()
        return f"create/list/describe/delete ok, {len(parts)} partitions, {len(groups)} groups listed"
    finally:
        await admin.close()


async def check_idempotent_and_group(bootstrap: str) -> str:
    topic = f"compat.{RUN}.data"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for i in range(100):
            await producer.send(topic, f"v{i}".encode(), key=f"k{i % 7}".encode())
        await producer.flush()
    finally:
        await producer.stop()

    group = f"compat-{RUN}"

    async def consume(limit: int) -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        got: list[bytes] = []
        try:
            deadline = time.monotonic() + 20
            while len(got) < limit and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=500, max_records=limit - len(got))
                for tp, records in batches.items():
                    got.extend(r.value for r in records if r.value is not None)
                    # Manual commit after "processing", as the services do after their DB commit.
                    await consumer.commit({tp: records[-1].offset + 1})
        finally:
            await consumer.stop()
        return got

    first = await consume(60)
    rest = await consume(40)  # a new member of the same group resumes from the committed offsets
    assert len(first) == 60, len(first)
    assert len(rest) == 40, len(rest)
    assert not set(first) & set(rest), set(first) & set(rest)
    assert len(set(first) | set(rest)) == 100
    return "100 sent idempotently; group consumed 60, committed, second member resumed with the other 40"


async def check_transactions(bootstrap: str) -> str:
    topic = f"compat.{RUN}.data"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"compat-{RUN}")
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send(topic, b"txn-committed", key=b"t")
        await producer.begin_transaction()
        await producer.send(topic, b"txn-aborted", key=b"t")
        await producer.abort_transaction()
        async with producer.transaction():
            await producer.send(topic, b"txn-after", key=b"t")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, isolation_level="read_committed", auto_offset_reset="earliest"
    )
    await consumer.start()
    seen: set[bytes] = set()
    try:
        deadline = time.monotonic() + 20
        while b"txn-after" not in seen and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                seen.update(r.value for r in records if r.value is not None)
    finally:
        await consumer.stop()
    assert b"txn-committed" in seen, seen
    assert b"txn-after" in seen, seen
    assert b"txn-aborted" not in seen, "aborted record visible under read_committed"
    return "commit visible, abort invisible under read_committed"


async def check_faust(bootstrap: str) -> str:
    import faust  # imported late: its import is slow and irrelevant to the other checks

    app_id = f"compat-faust-{RUN}"
    data_dir = tempfile.mkdtemp(prefix=f"{app_id}-")
    topic_name = f"compat.{RUN}.faust"

    async def run_once(value: bytes) -> int:
        """Start the app, feed it one message, return the table count it reached, stop it."""
        app = faust.App(
            app_id,
            broker=f"kafka://{bootstrap}",
            store="memory://",
            web_enabled=False,
            topic_partitions=2,
            topic_replication_factor=1,
            consumer_auto_offset_reset="earliest",
            datadir=data_dir,  # faust writes its data dir; keep it out of the working tree
        )
        # internal=True: faust declares (creates) only internal topics itself; with auto-creation off on
        # the broker this exercises faust's own CreateTopics path, as does the table's changelog topic.
        topic = app.topic(topic_name, value_type=bytes, value_serializer="raw", partitions=2, internal=True)
        counts = app.Table("counts", default=int, partitions=2, key_type=str, value_type=int)
        seen: asyncio.Queue[int] = asyncio.Queue()

        @app.agent(topic)
        async def handler(stream):  # type: ignore[no-untyped-def]
            async for event in stream.events():
                if event.value == value:
                    counts["k"] += 1
                    seen.put_nowait(counts["k"])

        await app.start()
        try:
            # Sent through plain aiokafka: the wire format is ours, not faust's.
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
            await producer.start()
            try:
                await producer.send_and_wait(topic_name, value, key=b"k")
            finally:
                await producer.stop()
            return await asyncio.wait_for(seen.get(), 60)
        finally:
            await app.stop()

    first = await run_once(b"hello-faust-1")
    # A restarted worker must rebuild the table from its changelog (memory store) before counting on.
    second = await run_once(b"hello-faust-2")
    assert (first, second) == (1, 2), (first, second)
    return "agent consumed; topic + changelog declared by faust; restart recovered the table from changelog"


async def main_async(bootstrap: str, only: list[str]) -> int:
    checks: dict[str, Callable[[str], Awaitable[str]]] = {
        "admin": check_admin,
        "idempotent+group": check_idempotent_and_group,
        "transactions": check_transactions,
        "faust": check_faust,
    }
    failed = 0
    for name, check in checks.items():
        if only and name not in only:
            continue
        started = time.monotonic()
        try:
            detail = await asyncio.wait_for(check(bootstrap), 120)
            print(f"PASS {name:18} {time.monotonic() - started:5.1f}s  {detail}", flush=True)
        except Exception as exc:  # report every check, then fail overall
            failed += 1
            elapsed = time.monotonic() - started
            print(f"FAIL {name:18} {elapsed:5.1f}s  {type(exc).__name__}: {exc}", flush=True)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap", default="127.0.0.1:19092")
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    return asyncio.run(main_async(args.bootstrap, args.only))


if __name__ == "__main__":
    sys.exit(main())
