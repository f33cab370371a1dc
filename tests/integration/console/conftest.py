"""The console against the real PostgreSQL, seen as a browser sees it: behind a gateway that publishes it
at /api/console (prefix stripped, like nginx), over HTTPS, with a cookie jar that honours Path, Secure
and HttpOnly as a browser does.

Each test gets its own schema (dropped afterwards), its own clock (starting now, moved by the test) and
the console's signing key pair in a temporary directory.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from services.console.bootstrap import bootstrap
from services.console.passwords import set_one
from services.console.settings import ConsoleSettings
from shared.auth import generate_key_pair
from shared.observability import ServiceMetrics

ORIGIN = "https://console.gridloop.test"
PASSWORD = "integration-test-password"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_key_pair(tmp_path_factory.mktemp("keys"))


def console_settings(
    database_url: str, schema: str, keys: tuple[Path, Path], **overrides: Any
) -> ConsoleSettings:
    private_file, _ = keys
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "db_schema": schema,
        "signing_key_file": private_file,
        # Cheap hashes: these tests are about sessions, not about argon2's cost.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        **overrides,
    }
    return ConsoleSettings(**values)


@dataclass
class Console:
    """A running console behind its gateway prefix, and what tests need to talk to it."""

    app: FastAPI
    settings: ConsoleSettings
    clock: Clock
    metrics: ServiceMetrics

    def browser(self, address: str = "10.20.30.40") -> httpx.AsyncClient:
        """A browser at ``address``: its own cookie jar, the gateway's paths."""
        gateway = Starlette(routes=[Mount("/api/console", app=self.app)])
        transport = httpx.ASGITransport(app=gateway, client=(address, 50_000))
        return httpx.AsyncClient(transport=transport, base_url=ORIGIN)

    async def set_password(self, person_id: str, password: str = PASSWORD) -> None:
        await set_one(self.settings, person_id, password)

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(name, labels or None)
        return value or 0.0

    async def rows(self, query: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.settings.database_url.get_secret_value())
        try:
            rows: list[asyncpg.Record] = await connection.fetch(
                query.replace("{schema}", f'"{self.settings.db_schema}"'), *args
            )
            return rows
        finally:
            await connection.close()


@asynccontextmanager
async def running(settings: ConsoleSettings, clock: Clock) -> AsyncIterator[Console]:
    metrics = ServiceMetrics("console")
    app = bootstrap(settings, clock=clock, metrics=metrics)
    async with app.router.lifespan_context(app):
        yield Console(app=app, settings=settings, clock=clock, metrics=metrics)


async def drop_schema(settings: ConsoleSettings) -> None:
    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        await connection.execute(f'drop schema if exists "{settings.db_schema}" cascade')
    finally:
        await connection.close()


StartConsole = Callable[..., Any]


@pytest.fixture
async def start_console(database_url: str, key_files: tuple[Path, Path]) -> AsyncIterator[StartConsole]:
    """``await start_console(**settings)``: a console on a fresh schema of this test's; calling it again
    with the same ``schema`` starts a second instance over the same tables."""
    clock = Clock()
    async with AsyncExitStack() as stack:

        async def start(schema: str | None = None, **overrides: Any) -> Console:
            schema = schema or f"console_test_{uuid.uuid4().hex[:10]}"
            settings = console_settings(database_url, schema, key_files, **overrides)
            stack.push_async_callback(drop_schema, settings)
            return await stack.enter_async_context(running(settings, clock))

        yield start


@pytest.fixture
async def console(start_console: StartConsole) -> Console:
    started: Console = await start_console()
    return started
