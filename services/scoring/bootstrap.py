"""The composition root: ``bootstrap(settings)`` returns scoring's app; its lifespan loads the rules,
migrates the schema, and starts (then stops) the pool, the consumer and relay, the sweep and the closer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from prometheus_client import Counter

from services.scoring import api
from services.scoring.analysis import Analysis
from services.scoring.api import errors
from services.scoring.api.deps import ApiContext
from services.scoring.closing import PeriodCloser
from services.scoring.config import ScoringConfig, load_config, names_in
from services.scoring.handlers import CaseEventHandler
from services.scoring.metrics import results_updated_total
from services.scoring.places import Places
from services.scoring.ports import Clock, utc_now
from services.scoring.publisher import Outbox
from services.scoring.queries import Queries
from services.scoring.repository import Repository
from services.scoring.settings import ScoringSettings
from services.scoring.sweep import DeadlineSweep
from shared.auth import build_authenticator
from shared.background import in_background
from shared.db import create_pool, migrate, ping
from shared.http import install_error_handlers
from shared.observability import ReadinessCheck, ServiceMetrics, health_router, instrument
from shared.streams import ConsumeAndRelay, StreamsConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(
    settings: ScoringSettings, *, clock: Clock = utc_now, metrics: ServiceMetrics | None = None
) -> FastAPI:
    """Scoring's app; ``clock`` is what the handler, the sweep and the closer read the time from."""
    metrics = metrics or ServiceMetrics("scoring")
    updated = results_updated_total(metrics)
    lifespan = partial(_lifespan, settings=settings, clock=clock, metrics=metrics, updated=updated)
    app = FastAPI(title="gridloop scoring", version="1", lifespan=lifespan)
    install_error_handlers(app)
    errors.install(app)
    instrument(app, metrics)
    app.include_router(api.router)
    app.include_router(health_router(metrics, _probes(app)))
    return app


def case_event_handler(
    settings: ScoringSettings,
    config: ScoringConfig,
    *,
    clock: Clock,
    results_updated: Counter,
    analysis: bool = True,
) -> CaseEventHandler:
    """The handler of case events and of the deadline sweep, over the settings' schema."""
    outbox = Outbox(settings.db_schema)
    return CaseEventHandler(
        repository=Repository(settings.db_schema),
        outbox=outbox,
        timezone=config.timezone,
        rubric=config.rubric,
        city=config.rules,
        results_updated=results_updated,
        clock=clock,
        batched=settings.batch_assessment,
        analysis=Analysis(places=Places(settings.db_schema), outbox=outbox, rules=config.analysis)
        if analysis
        else None,
    )


@asynccontextmanager
async def _lifespan(
    app: FastAPI, *, settings: ScoringSettings, clock: Clock, metrics: ServiceMetrics, updated: Counter
) -> AsyncIterator[None]:
    config = load_config(settings)
    authenticator = build_authenticator(settings, city=config.city, clock=clock)
    database_url = settings.database_url.get_secret_value()
    await migrate(database_url, migrations=MIGRATIONS, schema=settings.db_schema)
    pool = await create_pool(database_url)
    handler = case_event_handler(settings, config, clock=clock, results_updated=updated)
    streams = ConsumeAndRelay(_streams_config(settings), pool=pool, handler=handler, metrics=metrics)
    sweep = DeadlineSweep(
        pool=pool,
        repository=Repository(settings.db_schema),
        handler=handler,
        interval_seconds=settings.sweep_interval_seconds,
        clock=clock,
    )
    closer = PeriodCloser(
        pool=pool,
        schema=settings.db_schema,
        timezone=config.timezone,
        grace=timedelta(days=settings.period_grace_days),
        sweep=sweep,
        interval_seconds=settings.sweep_interval_seconds,
        clock=clock,
    )
    app.state.scoring = ApiContext(
        pool=pool,
        queries=Queries(settings.db_schema),
        rubric=config.rubric,
        names=names_in(config.city),
        max_page_size=settings.max_page_size,
        vanguard=config.vanguard,
        authenticator=authenticator,
        city=config.city,
        clock=clock,
        grid_workers=config.grid_workers,
        timezone=config.timezone.key,
    )
    app.state.pool, app.state.streams, app.state.closer = pool, streams, closer
    try:
        jobs = {
            "scoring-kafka": streams.run(),
            "scoring-deadline-sweep": sweep.run(),
            "scoring-period-closer": closer.run(),
        }
        async with in_background(jobs):
            yield
    finally:
        await streams.close()
        await pool.close()
        await authenticator.aclose()


def _streams_config(settings: ScoringSettings) -> StreamsConfig:
    return StreamsConfig(
        service="scoring",
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.consumer_group,
        topics=(settings.case_events_topic,),
        schema=settings.db_schema,
        partitions=settings.topic_partitions,
        replication_factor=settings.kafka_replication_factor,
    )


def _probes(app: FastAPI) -> dict[str, ReadinessCheck]:
    """Readiness checks. Probes may come before the lifespan has set things up; an error there reads as
    "not ready"."""

    async def database_ready() -> bool:
        return await ping(app.state.pool)

    async def consumer_ready() -> bool:
        streams: ConsumeAndRelay = app.state.streams
        return await streams.consumer_ready()

    async def kafka_ready() -> bool:
        streams: ConsumeAndRelay = app.state.streams
        return await streams.kafka_ready()

    return {"database": database_ready, "consumer": consumer_ready, "kafka": kafka_ready}
