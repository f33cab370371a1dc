"""Dispatch as its operators run it: `python -m services.dispatch` in a subprocess, against the real test
broker, on a free port, with its own consumer group.

Each module run gets topics of its own (GRIDLOOP_DISPATCH_TOPIC_PREFIX): other suites, and other runs of
this one, use the same broker at the same time, and a second dispatch reading the same reports topic
would publish a second copy of every case event. The topics are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.events import KafkaRecord
from shared.kafka import ensure_topics, make_producer, send
from shared.settings import REPO_ROOT
from shared.topics import ALL_TOPICS

# Every limit divided by 3600: a one-day limit is 24 seconds, as in demos and end-to-end tests.
SLA_SCALE = 3600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# A killed worker's partitions come back after this long (the production default is 30 s).
SESSION_TIMEOUT_SECONDS = 6


class DispatchProcess:
    """One dispatch worker process that can be stopped and started again with the same settings."""

    def __init__(self, *, bootstrap: str, group_id: str, topic_prefix: str, run_dir: Path) -> None:
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = run_dir / "dispatch.log"
        self._env = {
            **os.environ,
            "GRIDLOOP_ENV": "test",
            "GRIDLOOP_RUN_DIR": str(run_dir),
            "GRIDLOOP_DISPATCH_KAFKA_BOOTSTRAP": bootstrap,
            "GRIDLOOP_DISPATCH_GROUP_ID": group_id,
            "GRIDLOOP_DISPATCH_TOPIC_PREFIX": topic_prefix,
            "GRIDLOOP_DISPATCH_PORT": str(self.port),
            "GRIDLOOP_DISPATCH_SLA_SCALE": str(SLA_SCALE),
            "GRIDLOOP_DISPATCH_LAG_INTERVAL_SECONDS": "0.5",
            # A killed worker's partitions come back after this, not after the production default.
            "GRIDLOOP_DISPATCH_SESSION_TIMEOUT_SECONDS": str(SESSION_TIMEOUT_SECONDS),
            # A partition the consumer has passed without processing is sought back after this.
            "GRIDLOOP_DISPATCH_STALL_AFTER_SECONDS": "2",
        }
        self.topic_prefix = topic_prefix
        self._process: asyncio.subprocess.Process | None = None

    def topic(self, name: str) -> str:
        """The name this run's dispatch uses for a registry topic."""
        return self.topic_prefix + name

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "services.dispatch",
                cwd=REPO_ROOT,
                env=self._env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self.wait_ready()

    async def wait_ready(self, within: float = 60.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while asyncio.get_running_loop().time() < deadline:
                assert self._process is not None
                if self._process.returncode is not None:
                    pytest.fail(f"dispatch exited with {self._process.returncode}:\n{self.log_tail()}")
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        pytest.fail(f"dispatch never became ready:\n{self.log_tail()}")

    async def stop(self, sig: signal.Signals = signal.SIGTERM, within: float = 30.0) -> int:
        process = self._process
        assert process is not None
        process.send_signal(sig)
        try:
            returncode = await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
            pytest.fail(f"dispatch ignored {sig.name} for {within} s:\n{self.log_tail()}")
        self._process = None
        return returncode

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


async def uncommitted(process: DispatchProcess, topic: str) -> int:
    """How many of the topic's messages lie past the group's committed offsets."""
    admin = AIOKafkaAdminClient(bootstrap_servers=process.bootstrap, client_id="dispatch-tests-offsets")
    consumer = AIOKafkaConsumer(bootstrap_servers=process.bootstrap)
    await admin.start()
    await consumer.start()
    try:
        name = process.topic(topic)
        tps = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        if not tps:
            await consumer._client.force_metadata_update()
            tps = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        ends = await consumer.end_offsets(tps)
        committed = await admin.list_consumer_group_offsets(process.group_id, partitions=tps)
        return sum(end - max(0, committed[tp].offset if tp in committed else 0) for tp, end in ends.items())
    finally:
        await consumer.stop()
        await admin.close()


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="dispatch-tests-cleanup")
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


@pytest.fixture(scope="module")
async def dispatch(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DispatchProcess]:
    run = uuid.uuid4().hex[:8]
    prefix = f"test-dispatch-{run}."
    await ensure_topics(kafka_bootstrap, partitions=6, replication_factor=1, prefix=prefix)
    process = DispatchProcess(
        bootstrap=kafka_bootstrap,
        group_id=f"gridloop-dispatch-test-{run}",
        topic_prefix=prefix,
        run_dir=tmp_path_factory.mktemp("dispatch"),
    )
    await process.start()
    yield process
    if process.running:
        await process.stop()
    await delete_topics(kafka_bootstrap, [prefix + topic.name for topic in ALL_TOPICS])


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = make_producer(kafka_bootstrap, client_id="dispatch-tests")
    await producer.start()
    yield producer
    await producer.stop()


async def produce(producer: AIOKafkaProducer, dispatch: DispatchProcess, record: KafkaRecord) -> None:
    """Send a registry record to this run's copy of its topic and wait for the broker's ack."""
    await send(producer, replace(record, topic=dispatch.topic(record.topic)))
