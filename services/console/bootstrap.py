"""The composition root: ``bootstrap(settings)`` returns the console's app; its lifespan loads the city
and the red map, reads the signing key, migrates the schema, and starts (then stops) the pool and the
housekeeping of stale failure counts and sessions."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

import asyncpg
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from services.console import api
from services.console.api import errors
from services.console.api.deps import ConsoleContext
from services.console.city_views import CityViews
from services.console.config import load_config
from services.console.credentials import AccessTokenSigner, Argon2Hasher
from services.console.domain.sessions import SessionPolicy
from services.console.domain.throttle import SlowDownPolicy
from services.console.handlers import Console
from services.console.metrics import console_metrics
from services.console.ports import Clock
from services.console.queries import Queries
from services.console.repository import PgStore, forget_stale
from services.console.settings import ConsoleSettings
from shared.auth import generate_key_pair, load_private_key, open_authenticator
from shared.auth.keys import PRIVATE_KEY_FILE
from shared.auth.tokens import utc_now
from shared.background import in_background
from shared.db import create_pool, migrate, ping
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, health_router, instrument

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HOUSEKEEPING_SECONDS = 300.0


def bootstrap(
    settings: ConsoleSettings, *, clock: Clock = utc_now, metrics: ServiceMetrics | None = None
) -> FastAPI:
    metrics = metrics or ServiceMetrics("console")
    lifespan = partial(_lifespan, settings=settings, metrics=metrics, clock=clock)
    app = FastAPI(
        title="gridloop console", version="1", lifespan=lifespan, max_body_size=settings.max_body_bytes
    )
    install_error_handlers(app)
    errors.install(app)
    instrument(app, metrics)
    app.include_router(api.router)

    async def database_ready() -> bool:
        return await ping(app.state.pool)

    app.include_router(health_router(metrics, {"database": database_ready}))
    return app


def session_policy(settings: ConsoleSettings) -> SessionPolicy:
    return SessionPolicy(
        access_lifetime=timedelta(minutes=settings.access_token_minutes),
        refresh_lifetime=timedelta(hours=settings.refresh_token_hours),
        session_lifetime=timedelta(hours=settings.session_max_hours),
        reuse_grace=timedelta(seconds=settings.refresh_reuse_grace_seconds),
    )


def slow_down_policies(settings: ConsoleSettings) -> tuple[SlowDownPolicy, SlowDownPolicy]:
    """(per person, per client address)."""
    delays = {
        "base_delay": timedelta(seconds=settings.slow_down_base_seconds),
        "max_delay": timedelta(seconds=settings.slow_down_max_seconds),
        "forget_after": timedelta(seconds=settings.slow_down_forget_seconds),
    }
    return (
        SlowDownPolicy(free_failures=settings.person_free_failures, **delays),
        SlowDownPolicy(free_failures=settings.address_free_failures, **delays),
    )


def hasher_of(settings: ConsoleSettings) -> Argon2Hasher:
    return Argon2Hasher(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def signing_key_of(settings: ConsoleSettings) -> rsa.RSAPrivateKey:
    """The key access tokens are signed with. In development a missing pair is made at the key file's
    place (docker compose starts with none); anywhere else it must be there."""
    key_file = settings.signing_key_file
    if key_file is None:
        raise ValueError(
            "set GRIDLOOP_CONSOLE_SIGNING_KEY_FILE: the RS256 private key access tokens are signed with"
        )
    if settings.env == "dev" and key_file.name == PRIVATE_KEY_FILE and not key_file.exists():
        generate_key_pair(key_file.parent)
        log.warning("made a development signing key pair", extra={"directory": str(key_file.parent)})
    return load_private_key(key_file)


@asynccontextmanager
async def _lifespan(
    app: FastAPI, *, settings: ConsoleSettings, metrics: ServiceMetrics, clock: Clock
) -> AsyncIterator[None]:
    config = load_config(settings)
    signing_key = signing_key_of(settings)
    database_url = settings.database_url.get_secret_value()
    await migrate(database_url, migrations=MIGRATIONS, schema=settings.db_schema)
    async with AsyncExitStack() as stack:
        pool = await create_pool(database_url)
        stack.push_async_callback(pool.close)
        authenticator = await stack.enter_async_context(
            open_authenticator(settings, city=config.city, clock=clock, local_keys=[signing_key.public_key()])
        )
        hasher = hasher_of(settings)
        person_slow_down, address_slow_down = slow_down_policies(settings)
        console = Console(
            store=PgStore(pool, settings.db_schema),
            hasher=hasher,
            signer=AccessTokenSigner(
                signing_key,
                issuer=settings.auth_issuer,
                lifetime=timedelta(minutes=settings.access_token_minutes),
            ),
            city=config.city,
            clock=clock,
            sessions=session_policy(settings),
            person_slow_down=person_slow_down,
            address_slow_down=address_slow_down,
            dummy_hash=await hasher.hash(secrets.token_urlsafe(16)),
        )
        app.state.pool = pool
        app.state.console = ConsoleContext(
            console=console,
            authenticator=authenticator,
            settings=settings,
            metrics=console_metrics(metrics),
            pool=pool,
            queries=Queries(settings.db_schema),
            views=CityViews(config.city, config.red_map),
        )
        housekeeping = _keep_house(pool, settings, clock, person_slow_down.forget_after)
        log.info("console started", extra={"schema": settings.db_schema, "city": config.city.city_id})
        try:
            async with in_background({"console-housekeeping": housekeeping}):
                yield
        finally:
            log.info("console stopped")


async def _keep_house(pool: asyncpg.Pool, settings: ConsoleSettings, clock: Clock, forget: timedelta) -> None:
    while True:
        await asyncio.sleep(HOUSEKEEPING_SECONDS)
        try:
            await forget_stale(pool, settings.db_schema, now=clock(), forget_failures_after=forget)
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("housekeeping failed; trying again later", extra={"error": str(error)})
