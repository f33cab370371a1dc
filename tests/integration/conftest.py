"""Real Kafka and PostgreSQL for integration tests, started by `make test` (scripts/stack.sh).

A missing broker or database is a failure, never a skip: a test that silently skips is a defect.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from tools.tail import TopicTail


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
