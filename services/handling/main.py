"""Handling's composition root: the one place settings become clients and clients become a service.

Start order: city data, migrations, database pool, then the HTTP side serves while the Kafka side
(topics, producer, consumer, outbox relay) connects in the background; ``/readyz`` says 503 until it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from services.handling import handlers
from services.handling.api import install_domain_errors, router
from services.handling.deps import Runtime
from services.handling.gauges import CaseGauges
from services.handling.listening import StreamListener
from services.handling.policy_file import load_policy
from services.handling.settings import HandlingSettings
from services.handling.steps_api import router as steps_router
from services.handling.stream import StreamMetrics
from services.handling.stream import router as stream_router
from services.handling.timers import TimerRunner
from shared.city import City, load_city
from shared.db import create_pool, migrate, ping
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, configure_logging, health_router, instrument
from shared.streams import ConsumeAndRelay, StreamsConfig
from shared.topics import CASE_EVENTS
from shared.worktime import Clock, load_worktime

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def utc_now() -> datetime:
    return datetime.now(UTC)


def policy_clock(settings: HandlingSettings, city: City) -> Clock:
    """Working time on the city's calendar; in demo time (scale ≠ 1) a compressed wall clock."""
    if settings.sla_scale != 1:
        return Clock(None, scale=settings.sla_scale)
    return Clock(load_worktime(settings.city_dir, city=city).calendar)


def create_app(settings: HandlingSettings, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    metrics = ServiceMetrics("handling")
    gauges = CaseGauges(metrics)
    stream_metrics = StreamMetrics(metrics)
    steps = metrics.counter(
        "case_steps_total",
        "Steps people asked to take on cases, by action and outcome (taken, illegal, forbidden, not_found).",
        ("action", "outcome"),
    )

    timers_fired = metrics.counter(
        "timers_fired_total",
        "Durable timers fired, by kind (remind, yellow_card, red_card, escalate, resume) and outcome.",
        ("kind", "outcome"),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        city = load_city(settings.city_dir)
        policy = load_policy(settings.city_dir, city=city, clock=policy_clock(settings, city))
        database_url = settings.database_url.get_secret_value()
        await migrate(database_url, migrations=MIGRATIONS, schema=settings.db_schema)
        pool = await create_pool(database_url)
        messaging = ConsumeAndRelay(
            StreamsConfig(
                service="handling",
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.consumer_group,
                topics=(settings.topic_prefix + CASE_EVENTS.name,),
                schema=settings.db_schema,
                partitions=settings.topic_partitions,
                replication_factor=settings.kafka_replication_factor,
                topic_prefix=settings.topic_prefix,
            ),
            pool=pool,
            metrics=metrics,
            handler=handlers.case_event_handler(settings.db_schema, clock, policy),
        )
        app.state.runtime = Runtime(
            settings=settings,
            pool=pool,
            city_id=city.city_id,
            steps=steps,
            clock=clock,
            policy=policy,
            city=city,
        )
        app.state.messaging = messaging
        listener = StreamListener(database_url=database_url, schema=settings.db_schema)
        app.state.stream_listener = listener
        app.state.stream_metrics = stream_metrics
        timers = TimerRunner(
            pool=pool,
            schema=settings.db_schema,
            policy=policy,
            city=city,
            clock=clock,
            topic_prefix=settings.topic_prefix,
            on_fired=lambda kind, outcome: timers_fired.labels(kind, outcome).inc(),
        )
        background = [
            asyncio.create_task(timers.run(), name="handling-timers"),
            asyncio.create_task(messaging.run(), name="handling-kafka"),
            asyncio.create_task(
                gauges.keep_fresh(pool, settings.db_schema, clock, settings.gauge_refresh_seconds),
                name="handling-gauges",
            ),
            asyncio.create_task(listener.run(), name="handling-stream-listener"),
        ]
        log.info("handling started", extra={"schema": settings.db_schema, "city": city.city_id})
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await messaging.close()
            await pool.close()
            log.info("handling stopped")

    app = FastAPI(
        title="gridloop handling", version="1", lifespan=lifespan, max_body_size=settings.max_body_bytes
    )
    instrument(app, metrics)
    install_error_handlers(app)
    install_domain_errors(app)
    app.include_router(router)
    app.include_router(stream_router)
    app.include_router(steps_router)

    async def database_ready() -> bool:
        return await ping(app.state.runtime.pool)

    async def kafka_ready() -> bool:
        messaging: ConsumeAndRelay = app.state.messaging
        return await messaging.kafka_ready()

    async def consumer_ready() -> bool:
        messaging: ConsumeAndRelay = app.state.messaging
        return await messaging.consumer_ready()

    app.include_router(
        health_router(metrics, {"database": database_ready, "kafka": kafka_ready, "consumer": consumer_ready})
    )
    return app


def serve() -> None:
    """``python -m services.handling``: JSON logs, uvicorn on the configured host and port."""
    settings = HandlingSettings()
    configure_logging("handling", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Live streams never end by themselves: without a limit a SIGTERM would wait for every client.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
