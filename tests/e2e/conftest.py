"""The whole loop, started the way `make up` starts it (scripts/stack.sh), on the test profile.

`make test` brings up a clean test Kafka and PostgreSQL first; this fixture starts the four services on
them with SLA time compressed, and stops the services afterwards.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest

from shared.city import City, load_city
from shared.city.catalogue import iso_duration
from shared.settings import REPO_ROOT
from tools.client import Endpoints, LoopClient

CITY = load_city(REPO_ROOT / "city")
# The e2e cases use this category: handled in the grid, so the grid's worker holds it.
CATEGORY = next(c for c in CITY.categories if c.active and c.default_tier == "grid")
# Compress time so that this category's close limit is CLOSE_WINDOW seconds of wall clock.
CLOSE_WINDOW_SECONDS = 8.0
SLA_SCALE = iso_duration(CATEGORY.close_within).total_seconds() / CLOSE_WINDOW_SECONDS


def _stack(command: str) -> None:
    env = {**os.environ, "GRIDLOOP_PROFILE": "test", "SLA_SCALE": f"{SLA_SCALE:.6f}"}
    subprocess.run(["scripts/stack.sh", command], cwd=REPO_ROOT, env=env, check=True)


@pytest.fixture(scope="session")
def stack() -> Iterator[Endpoints]:
    if not os.environ.get("GRIDLOOP_TEST_KAFKA"):
        pytest.fail("end-to-end tests run through `make test`, which starts the test Kafka and PostgreSQL")
    _stack("up")
    try:
        yield Endpoints.from_ports(18001, 18002, 18003, 18004)
    finally:
        _stack("services-down")


@pytest.fixture
async def loop(stack: Endpoints) -> AsyncIterator[LoopClient]:
    client = LoopClient(stack)
    await client.wait_ready()
    yield client
    await client.close()


@pytest.fixture(scope="session")
def city() -> City:
    return CITY
