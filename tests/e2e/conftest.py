"""The whole loop, started the way `make up` starts it (scripts/stack.sh), on the test profile.

`make test` brings up a clean test Kafka and PostgreSQL first; this fixture starts the four services on
them with SLA time compressed, and stops the services afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest
import yaml

from shared.city import City, load_city
from shared.city.catalogue import iso_duration
from shared.settings import REPO_ROOT
from tools.client import Endpoints, LoopClient

CITY = load_city(REPO_ROOT / "city")
# The e2e cases use this category: handled in the grid, so the grid's worker holds it; and one that
# dispatch never merges (city/triage.yaml), since the tests send many reports from the same spot and
# each must open its own case.
_TRIAGE = yaml.safe_load((REPO_ROOT / "city" / "triage.yaml").read_text())["merge"]
CATEGORY = next(
    c
    for c in CITY.categories
    if c.active
    and c.default_tier == "grid"
    and _TRIAGE["rules"].get(c.code, _TRIAGE["rules"].get(c.group_id, _TRIAGE["default"])) == "never"
)
# Compress time so that this category's close limit is CLOSE_WINDOW seconds of wall clock.
CLOSE_WINDOW_SECONDS = 8.0
SLA_SCALE = iso_duration(CATEGORY.close_within).total_seconds() / CLOSE_WINDOW_SECONDS


# Where scripts/stack.sh keeps pid files: GRIDLOOP_RUN_DIR (relative to the repo) or the test profile's.
RUN_DIR = REPO_ROOT / os.environ.get("GRIDLOOP_RUN_DIR", ".run/test")


def stack_command(command: str) -> None:
    """`scripts/stack.sh <command>` on the test profile, as `make up` would run it."""
    env = {**os.environ, "GRIDLOOP_PROFILE": "test", "SLA_SCALE": f"{SLA_SCALE:.6f}"}
    subprocess.run(["scripts/stack.sh", command], cwd=REPO_ROOT, env=env, check=True)


def kill_hard(name: str) -> None:
    """SIGKILL a process the stack started (a service, or `kafka`): no shutdown hooks run."""
    pid = int((RUN_DIR / "pids" / f"{name}.pid").read_text())
    os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def stack() -> Iterator[Endpoints]:
    if not os.environ.get("GRIDLOOP_TEST_KAFKA"):
        pytest.fail("end-to-end tests run through `make test`, which starts the test Kafka and PostgreSQL")
    stack_command("up")
    try:
        yield Endpoints.from_ports(18001, 18002, 18003, 18004)
    finally:
        stack_command("services-down")


@pytest.fixture
async def loop(stack: Endpoints) -> AsyncIterator[LoopClient]:
    client = LoopClient(stack)
    await client.wait_ready()
    yield client
    await client.close()


@pytest.fixture(scope="session")
def city() -> City:
    return CITY
