"""The composition root: settings read, database migrated and clients started in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from fastapi import FastAPI

from services.scoring import analysis_api, credit_api
from services.scoring.analysis import Analysis
from services.scoring.api import ApiContext, router
from services.scoring.closing import PeriodCloser
from services.scoring.domain import Rubric
from services.scoring.domain.folding import Ancestry, CityRules
from services.scoring.domain.hotspots import AnalysisRules
from services.scoring.domain.vanguard import VanguardRules
from services.scoring.handlers import CaseEventHandler
from services.scoring.queries import Queries
from services.scoring.repository import Repository
from services.scoring.settings import ScoringSettings
from services.scoring.sweep import DeadlineSweep
from shared.city import City, load_city
from shared.db import create_pool, migrate, ping
from shared.http import install_error_handlers
from shared.observability import ServiceMetrics, configure_logging, health_router, instrument
from shared.streams import ConsumeAndRelay, StreamsConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def load_rubric(path: Path) -> Rubric:
    return Rubric.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_vanguard(path: Path) -> VanguardRules:
    return VanguardRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_analysis(path: Path) -> AnalysisRules:
    return AnalysisRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def check_categories(city: City, vanguard: VanguardRules, analysis: AnalysisRules) -> None:
    """Refuse rules that name a category the city's catalogue lacks (a typo would count nothing)."""
    known = {category.code for category in city.categories}
    unknown = sorted((set(vanguard.service_tasks) | set(analysis.categories)) - known)
    if unknown:
        raise ValueError(f"vanguard.yaml or analysis.yaml names unknown categories: {', '.join(unknown)}")


def ancestry_in(city: City) -> Ancestry:
    def ancestry(grid_id: str) -> tuple[str, str, str] | None:
        try:
            community, street, district = city.ancestry(grid_id)
        except KeyError:
            return None
        return community.community_id, street.street_id, district.district_id

    return ancestry


def rules_for(city: City, vanguard: VanguardRules) -> CityRules:
    return CityRules(ancestry=ancestry_in(city), service_minutes=vanguard.service_minutes())


def names_in(city: City) -> dict[str, str]:
    """Subject id → the name a bulletin prints (Chinese where the city has it)."""
    names = {person.person_id: person.name for person in city.people}
    names |= {grid.grid_id: grid.name_zh for grid in city.grids}
    names |= {community.community_id: community.name_zh for community in city.communities}
    names |= {street.street_id: street.name_zh for street in city.streets}
    names |= {district.district_id: district.name_zh for district in city.districts}
    names |= {department.department_id: department.name_zh for department in city.departments}
    return names


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
        city = load_city(settings.city_dir)
        timezone = ZoneInfo(settings.timezone or city.timezone)
        rubric = load_rubric(settings.rubric_path or settings.city_dir / "rubric.yaml")
        vanguard = load_vanguard(settings.vanguard_path or settings.city_dir / "vanguard.yaml")
        analysis = load_analysis(settings.analysis_path or settings.city_dir / "analysis.yaml")
        check_categories(city, vanguard, analysis)
        database_url = settings.database_url.get_secret_value()
        await migrate(database_url, migrations=MIGRATIONS, schema=settings.db_schema)
        pool = await create_pool(database_url)
        repository = Repository(settings.db_schema)
        app.state.scoring = ApiContext(
            pool=pool,
            queries=Queries(settings.db_schema),
            rubric=rubric,
            names=names_in(city),
            max_page_size=settings.max_page_size,
            vanguard=vanguard,
            grid_workers=tuple(sorted({p.person_id for p in city.people if p.role == "grid_worker"})),
            timezone=timezone.key,
        )
        handler = CaseEventHandler(
            repository=repository,
            schema=settings.db_schema,
            timezone=timezone,
            rubric=rubric,
            city=rules_for(city, vanguard),
            results_updated=results_updated,
            batched=settings.batch_assessment,
            analysis=Analysis(schema=settings.db_schema, rules=analysis),
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
            handler=handler,
            metrics=metrics,
        )
        app.state.pool, app.state.streams = pool, streams
        sweep = DeadlineSweep(
            pool=pool,
            repository=repository,
            handler=handler,
            interval_seconds=settings.sweep_interval_seconds,
        )
        closer = PeriodCloser(
            pool=pool,
            schema=settings.db_schema,
            timezone=timezone,
            grace=timedelta(days=settings.period_grace_days),
            sweep=sweep,
            interval_seconds=settings.sweep_interval_seconds,
        )
        app.state.closer = closer
        tasks = [
            asyncio.create_task(streams.run(), name="scoring-kafka"),
            asyncio.create_task(sweep.run(), name="scoring-deadline-sweep"),
            asyncio.create_task(closer.run(), name="scoring-period-closer"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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
    app.include_router(credit_api.router)
    app.include_router(analysis_api.router)
    app.include_router(
        health_router(metrics, {"database": database_ready, "consumer": consumer_ready, "kafka": kafka_ready})
    )
    return app
