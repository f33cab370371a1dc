"""The composition root: settings read, city loaded and Kafka connected in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.intake.api import router
from services.intake.domain.submission import Limits
from services.intake.handlers import Intake, IntakeMetrics
from services.intake.publisher import ReportPublisher
from services.intake.settings import IntakeSettings
from shared.city import load_city
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, configure_logging, health_router, instrument


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    metrics = ServiceMetrics("intake")
    publisher = ReportPublisher(
        bootstrap=settings.kafka_bootstrap,
        ack_timeout=settings.ack_timeout_seconds,
        partitions=settings.topic_partitions,
        replication_factor=settings.kafka_replication_factor,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("intake", settings.log_level)
        app.state.intake = Intake(
            city=load_city(settings.city_dir),
            publisher=publisher,
            limits=Limits(
                max_clock_skew=timedelta(seconds=settings.max_clock_skew_seconds),
                max_report_age=timedelta(days=settings.max_report_age_days),
                retry_after_seconds=settings.retry_after_seconds,
            ),
            metrics=IntakeMetrics(
                accepted=metrics.counter(
                    "reports_accepted_total", "Reports durably stored in Kafka.", ("source_type",)
                ),
                rejected=metrics.counter(
                    "reports_rejected_total", "Reports refused, by reason code.", ("reason",)
                ),
                ack_seconds=metrics.histogram(
                    "kafka_ack_seconds", "Time from send to the broker's acknowledgement."
                ),
            ),
        )
        publisher.start()
        yield
        await publisher.stop()

    app = FastAPI(
        title="gridloop intake", version="1", lifespan=lifespan, max_body_size=settings.max_body_bytes
    )
    install_error_handlers(app)
    instrument(app, metrics)
    app.include_router(router)
    app.include_router(health_router(metrics, {"kafka": publisher.reachable}))
    return app
