"""The composition root: ``bootstrap(settings)`` returns intake's app; its lifespan loads the city and
starts (then stops) the Kafka producer, which keeps trying to connect in the background so that intake
answers 503 instead of refusing to boot while Kafka is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.intake import api
from services.intake.api import errors
from services.intake.domain.submission import Limits
from services.intake.handlers import Intake
from services.intake.metrics import intake_metrics
from services.intake.ports import Clock, utc_now
from services.intake.publisher import ReportPublisher
from services.intake.settings import IntakeSettings
from shared.city import load_city
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, health_router, instrument


def bootstrap(
    settings: IntakeSettings, *, clock: Clock = utc_now, metrics: ServiceMetrics | None = None
) -> FastAPI:
    """Intake's app; ``clock`` is what a report's submission time and age are read against."""
    metrics = metrics or ServiceMetrics("intake")
    counted = intake_metrics(metrics)
    publisher = ReportPublisher(
        bootstrap=settings.kafka_bootstrap,
        ack_timeout=settings.ack_timeout_seconds,
        partitions=settings.topic_partitions,
        replication_factor=settings.kafka_replication_factor,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.intake = Intake(
            city=load_city(settings.city_dir),
            publisher=publisher,
            limits=limits(settings),
            metrics=counted,
            clock=clock,
        )
        publisher.start()
        yield
        await publisher.stop()

    app = FastAPI(
        title="gridloop intake", version="1", lifespan=lifespan, max_body_size=settings.max_body_bytes
    )
    install_error_handlers(app)
    errors.install(app, retry_after_seconds=settings.retry_after_seconds)
    instrument(app, metrics)
    app.include_router(api.router)
    app.include_router(health_router(metrics, {"kafka": publisher.reachable}))
    return app


def limits(settings: IntakeSettings) -> Limits:
    return Limits(
        max_clock_skew=timedelta(seconds=settings.max_clock_skew_seconds),
        max_report_age=timedelta(days=settings.max_report_age_days),
        retry_after_seconds=settings.retry_after_seconds,
    )
