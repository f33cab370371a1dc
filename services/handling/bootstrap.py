"""Handling's composition root: the one place settings become clients and clients become a service.

Start order: city data, migrations, database pool, then the HTTP side serves while the Kafka side
(topics, producer, consumer, outbox relay) connects in the background; ``/readyz`` says 503 until it has.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from services.handling import api, consumer
from services.handling.api.deps import Runtime
from services.handling.config import load_policy, policy_clock
from services.handling.listening import StreamListener
from services.handling.metrics import HandlingMetrics
from services.handling.ports import Clock
from services.handling.queries import StreamTable
from services.handling.repository import PgTransactions
from services.handling.settings import HandlingSettings
from services.handling.stream import CaseStream
from services.handling.timers import TimerRunner
from shared.auth import build_authenticator
from shared.background import in_background
from shared.city import load_city
from shared.db import create_pool, migrate, ping
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, health_router, instrument
from shared.streams import ConsumeAndRelay, StreamsConfig
from shared.topics import CASE_EVENTS

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def utc_now() -> datetime:
    return datetime.now(UTC)


def bootstrap(settings: HandlingSettings, *, clock: Clock = utc_now) -> FastAPI:
    """The app: its routes now, its adapters (database, Kafka, timers, stream listener) in its lifespan."""
    metrics = HandlingMetrics(ServiceMetrics("handling"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _running(app, settings, clock, metrics):
            yield

    app = FastAPI(
        title="gridloop handling", version="1", lifespan=lifespan, max_body_size=settings.max_body_bytes
    )
    instrument(app, metrics.service)
    install_error_handlers(app)
    api.install_domain_errors(app)
    app.include_router(api.router)
    app.include_router(
        health_router(
            metrics.service,
            {
                "database": lambda: ping(app.state.runtime.pool),
                "kafka": lambda: app.state.messaging.kafka_ready(),
                "consumer": lambda: app.state.messaging.consumer_ready(),
            },
        )
    )
    return app


@asynccontextmanager
async def _running(
    app: FastAPI, settings: HandlingSettings, clock: Clock, metrics: HandlingMetrics
) -> AsyncIterator[None]:
    """Wires the adapters into the handlers and runs the background work until the app stops."""
    city = load_city(settings.city_dir)
    policy = load_policy(settings.city_dir, city=city, clock=policy_clock(settings, city))
    authenticator = build_authenticator(settings, city=city, clock=clock)
    database_url = settings.database_url.get_secret_value()
    schema = settings.db_schema
    await migrate(database_url, migrations=MIGRATIONS, schema=schema)
    pool = await create_pool(database_url)
    transactions = PgTransactions(pool, schema, settings.topic_prefix)
    messaging = ConsumeAndRelay(
        StreamsConfig(
            service="handling",
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.consumer_group,
            topics=(settings.topic_prefix + CASE_EVENTS.name,),
            schema=schema,
            partitions=settings.topic_partitions,
            replication_factor=settings.kafka_replication_factor,
            topic_prefix=settings.topic_prefix,
        ),
        pool=pool,
        metrics=metrics.service,
        handler=consumer.case_event_handler(schema, clock, policy, topic_prefix=settings.topic_prefix),
    )
    listener = StreamListener(database_url=database_url, schema=schema)
    stream = CaseStream(
        StreamTable(pool, schema),
        listener.wakeup,
        batch_size=settings.stream_batch_size,
        heartbeat_seconds=settings.stream_heartbeat_seconds,
        clock=clock,
        metrics=metrics,
    )
    timers = TimerRunner(
        pool=pool,
        transactions=transactions,
        schema=schema,
        policy=policy,
        city=city,
        clock=clock,
        on_fired=metrics.timer_fired,
    )
    app.state.runtime = Runtime(
        settings=settings,
        pool=pool,
        transactions=transactions,
        clock=clock,
        policy=policy,
        city=city,
        metrics=metrics,
        stream=stream,
        authenticator=authenticator,
    )
    app.state.messaging = messaging
    background = {
        "handling-timers": timers.run(),
        "handling-kafka": messaging.run(),
        "handling-gauges": metrics.keep_case_gauges_fresh(
            pool, schema, clock, settings.gauge_refresh_seconds
        ),
        "handling-stream-listener": listener.run(),
    }
    log.info("handling started", extra={"schema": schema, "city": city.city_id})
    try:
        async with in_background(background):
            yield
    finally:
        await messaging.close()
        await pool.close()
        await authenticator.aclose()
        log.info("handling stopped")
