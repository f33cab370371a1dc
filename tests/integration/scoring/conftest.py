"""Scoring against the real broker and database: a schema, a case-events topic and a group per test.

The app runs in-process with its real lifespan (migrations, pool, producer, consumer, relay); HTTP goes
through httpx's ASGI transport. Assessment updates and dead letters are read from the real topics and
told apart from other runs by the unique ids in them.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI

from services.scoring.bootstrap import bootstrap
from services.scoring.settings import ScoringSettings
from shared.events import Event, derived_id, encode
from shared.kafka import ensure_topics
from shared.observability import ServiceMetrics
from tests.builders.tokens import mint, public_key_file

TEST_SOURCE = "/gridloop/test-dispatch"


def bearer(person_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(person_id, lifetime=timedelta(hours=2))}"}


# The stories' reads are a city-wide supervisor's, who sees every subject; what others see is
# test_scoring_access_matrix's.
CITY_WIDE = bearer("sv-yancheng")


@pytest.fixture(scope="module")
def unique() -> str:
    """One suffix for the module: its topic, schema, group and the ids in its events."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
async def case_topic(kafka_bootstrap: str, unique: str) -> AsyncIterator[str]:
    """A case-events topic of this test's own, with several partitions like the real one."""
    name = f"gridloop.test.case-events.{unique}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(name=name, num_partitions=3, replication_factor=1)])
    # The registry's topics too: the tails below read assessments and dead letters from the start.
    await ensure_topics(kafka_bootstrap, partitions=6, replication_factor=1)
    try:
        yield name
    finally:
        with contextlib.suppress(Exception):
            await admin.delete_topics([name])
        await admin.close()


@pytest.fixture(scope="module")
async def schema(database_url: str, unique: str) -> AsyncIterator[str]:
    name = f"scoring_t{unique}"
    yield name
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'drop schema if exists "{name}" cascade')
    finally:
        await conn.close()


def settings_for(
    *, bootstrap: str, database_url: str, schema: str, topic: str, unique: str
) -> ScoringSettings:
    return ScoringSettings(
        kafka_bootstrap=bootstrap,
        database_url=database_url,
        db_schema=schema,
        case_events_topic=topic,
        consumer_group=f"gridloop-scoring-test-{unique}",
        log_level="WARNING",
        # The stories are dated; a sweep at today's date would move their handling figures as time passes.
        sweep_interval_seconds=3600,
        auth_public_key_file=str(public_key_file()),
    )


@dataclass
class RunningScoring:
    app: FastAPI
    http: httpx.AsyncClient
    metrics: ServiceMetrics

    async def wait_ready(self, within: float = 30.0) -> None:
        await until(lambda: self._ready(), within=within, what="scoring /readyz to answer 200")

    async def _ready(self) -> bool:
        return (await self.http.get("/readyz")).status_code == 200


@contextlib.asynccontextmanager
async def running(settings: ScoringSettings) -> AsyncIterator[RunningScoring]:
    metrics = ServiceMetrics("scoring")
    app = bootstrap(settings, metrics=metrics)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://scoring", headers=CITY_WIDE
        ) as http,
    ):
        yield RunningScoring(app=app, http=http, metrics=metrics)


@pytest.fixture(scope="module")
async def scoring(
    kafka_bootstrap: str, database_url: str, schema: str, case_topic: str, unique: str
) -> AsyncIterator[RunningScoring]:
    settings = settings_for(
        bootstrap=kafka_bootstrap, database_url=database_url, schema=schema, topic=case_topic, unique=unique
    )
    async with running(settings) as service:
        await service.wait_ready()
        yield service


class CaseEventProducer:
    """Sends case events to the test topic as dispatch and handling would: keyed by case id, with ids
    derived from (case, step) so that sending the same step twice is a redelivery."""

    def __init__(self, producer: AIOKafkaProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    async def send(self, event: Event, step: str) -> None:
        record = encode(
            event, source=TEST_SOURCE, event_id=derived_id("test-event", event.partition_key(), step)
        )
        await self._producer.send_and_wait(self._topic, record.value, key=record.key, headers=record.headers)

    async def send_raw(self, value: bytes, headers: list[tuple[str, bytes]] | None = None) -> None:
        await self._producer.send_and_wait(self._topic, value, key=b"garbage", headers=headers or [])


@pytest.fixture(scope="module")
async def case_events(kafka_bootstrap: str, case_topic: str) -> AsyncIterator[CaseEventProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        yield CaseEventProducer(producer, case_topic)
    finally:
        await producer.stop()


async def until(
    check: Callable[[], Awaitable[Any]], *, within: float = 30.0, what: str = "the condition"
) -> Any:
    """Poll ``check`` until it returns something truthy; fail saying what never happened."""
    deadline = asyncio.get_running_loop().time() + within
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.2)
    pytest.fail(f"waited {within:.0f} s for {what}; last saw {last!r}")


async def until_equal(
    get: Callable[[], Awaitable[Any]], expected: Any, *, within: float = 30.0, what: str
) -> None:
    """Poll ``get`` until it returns ``expected``; fail showing the last value it returned."""
    deadline = asyncio.get_running_loop().time() + within
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await get()
        if last == expected:
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"waited {within:.0f} s for {what}:\nexpected {expected!r}\nlast saw  {last!r}")
