"""The composition root: settings in, a faust app with its publisher, table, agents and pages out.

Nothing connects here: ``bootstrap`` only wires objects, and the worker connects when it starts. The
city, its work calendar and the triage rules are read from the settings' files unless given.
"""

from __future__ import annotations

import faust

from services.dispatch.agents import ReportDispatcher, register_agent, register_lag_gauge
from services.dispatch.api import register_pages
from services.dispatch.closures import CLOSURES_TOPIC, register_closure_agents
from services.dispatch.config import load_triage
from services.dispatch.domain.rules import TriageRules
from services.dispatch.metrics import DispatchMetrics
from services.dispatch.offsets import ConsumedOffsets, FaustOffsets, track_offsets
from services.dispatch.publisher import KafkaPublisher
from services.dispatch.settings import DispatchSettings
from services.dispatch.state import TableChangelog, TriageStates, triage_table
from shared.city import City, load_city
from shared.topics import CASE_EVENTS, REPORTS
from shared.worktime import WorkTime, load_worktime


def bootstrap(
    settings: DispatchSettings,
    *,
    city: City | None = None,
    rules: TriageRules | None = None,
    worktime: WorkTime | None = None,
) -> faust.App:
    if city is None:
        city = load_city(settings.city_dir)
    if worktime is None:
        # The city's calendar and time-limit matrix; a bad file stops dispatch here, naming file and record.
        worktime = load_worktime(settings.city_dir, city=city)
    if rules is None:
        rules = load_triage(settings.triage_path, city)
    metrics = DispatchMetrics()
    app = _faust_app(settings)
    publisher = KafkaPublisher(
        bootstrap=settings.kafka_bootstrap,
        client_id=f"{settings.group_id}-publisher",
        partitions=settings.topic_partitions,
        replication_factor=settings.kafka_replication_factor,
        metrics=metrics,
        topic_prefix=settings.topic_prefix,
        internal_topics=[CLOSURES_TOPIC],
    )
    # Started before the app's own services (consumer, agents) and stopped after them: the agent never
    # sees a message before the producer it publishes with is up.
    app.add_dependency(publisher)
    states = TriageStates(rules)
    changelog = TableChangelog(triage_table(app, states, partitions=settings.topic_partitions), publisher)
    offset_port = FaustOffsets(app, bootstrap=settings.kafka_bootstrap, group_id=settings.group_id)
    app.add_dependency(offset_port)
    offsets = ConsumedOffsets(
        offset_port,
        topics=frozenset(
            settings.topic_prefix + name for name in (REPORTS.name, CASE_EVENTS.name, CLOSURES_TOPIC)
        ),
        stall_after_seconds=settings.stall_after_seconds,
        on_rewind=metrics.consumer_rewinds.inc,
    )
    track_offsets(app, offsets, interval=min(1.0, settings.stall_after_seconds / 2))
    dispatcher = ReportDispatcher(
        city=city,
        rules=rules,
        states=states,
        changelog=changelog,
        sla_scale=settings.sla_scale,
        publisher=publisher,
        metrics=metrics,
        worktime=worktime,
    )
    register_agent(
        app,
        dispatcher,
        offsets,
        batch_size=settings.batch_size,
        batch_within=settings.batch_within_seconds,
        topic_prefix=settings.topic_prefix,
    )
    register_closure_agents(
        app,
        states=states,
        changelog=changelog,
        metrics=metrics,
        offsets=offsets,
        partitions=settings.topic_partitions,
        batch_size=settings.batch_size,
        batch_within=settings.batch_within_seconds,
        topic_prefix=settings.topic_prefix,
    )
    register_lag_gauge(
        app, offset_port, metrics, topics=offsets.topics, interval=settings.lag_interval_seconds
    )

    async def consumer_running() -> bool:
        consumer = app.consumer
        return bool(consumer.started and not consumer.should_stop)

    async def producer_started() -> bool:
        return publisher.producer_started

    register_pages(
        app,
        metrics=metrics,
        checks={
            "consumer": consumer_running,
            "producer": producer_started,
            "kafka": publisher.broker_reachable,
        },
    )
    return app


def _faust_app(settings: DispatchSettings) -> faust.App:
    datadir = settings.run_dir / "dispatch" / settings.group_id
    datadir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level itself
    return faust.App(
        settings.group_id,
        broker=";".join(f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")),
        store="memory://",
        autodiscover=False,
        datadir=str(datadir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.kafka_replication_factor,
        # No leader-only work here: skip the extra "<app>-__assignor-__leader" topic.
        topic_disable_leader=True,
        # The triage state is rebuilt from its changelog by whoever takes a partition over; a standby
        # copy in memory on another worker would double the memory for a faster failover.
        table_standby_replicas=0,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_seconds,
        web_enabled=True,
        web_bind=settings.host,
        web_host=settings.host,
        web_port=settings.port,
        web_router_enabled=False,
        web_tables_enabled=False,
    )
