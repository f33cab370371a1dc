"""The composition root: settings read, database migrated and clients started in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from services.scoring.api import ApiContext, router
from services.scoring.handlers import CaseEventHandler
from services.scoring.repository import Repository
from services.scoring.settings import ScoringSettings
from shared.city import load_city
from shared.db import create_pool, migrate, ping
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, configure_logging, health_router, instrument
from shared.streams import ConsumeAndRelay, StreamsConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: ScoringSettings | None = None, *, metrics: ServiceMetrics | None = None) -> FastAPI:
    settings = settings or ScoringSettings()
    metrics = metrics or ServiceMetrics("scoring")
    results_updated = metrics.counter(
        "results_updated_total",
        "Assessment results that changed and were queued for publishing, by subject type.",
        ("subject_type",),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("scoring", settings.log_level)
        timezone = ZoneInfo(settings.timezone or load_city(settings.city_dir).timezone)
        await migrate(settings.database_url, migrations=MIGRATIONS, schema=settings.db_schema)
        pool = await create_pool(settings.database_url)
        repository = Repository(settings.db_schema)
        app.state.scoring = ApiContext(
            pool=pool, repository=repository, timezone=timezone, max_page_size=settings.max_page_size
        )
        streams = ConsumeAndRelay(
            StreamsConfig(
                service="scoring",
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.consumer_group,
                topics=(settings.case_events_topic,),
                schema=settings.db_schema,
                partitions=settings.topic_partitions,
                replication_factor=settings.kafka_replication_factor,
            ),
            pool=pool,
            handler=CaseEventHandler(
                repository=repository,
                schema=settings.db_schema,
                timezone=timezone,
                rubric_version=settings.rubric_version,
                results_updated=results_updated,
            ),
            metrics=metrics,
        )
        app.state.pool, app.state.streams = pool, streams
        kafka_side = asyncio.create_task(streams.run(), name="scoring-kafka")
        try:
            yield
        finally:
            kafka_side.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await kafka_side
            await streams.close()
            await pool.close()

    # Probes may come before the lifespan has set things up; an error there reads as "not ready".
    async def database_ready() -> bool:
        return await ping(app.state.pool)

    async def consumer_ready() -> bool:
        streams: ConsumeAndRelay = app.state.streams
        return await streams.consumer_ready()

    async def kafka_ready() -> bool:
        streams: ConsumeAndRelay = app.state.streams
        return await streams.kafka_ready()

    app = FastAPI(title="gridloop scoring", version="1", lifespan=lifespan)
    install_error_handlers(app)
    instrument(app, metrics)
    app.include_router(router)
    app.include_router(
        health_router(metrics, {"database": database_ready, "consumer": consumer_ready, "kafka": kafka_ready})
    )
    return app
