"""One handler per command. `submit_report` validates, then publishes, then answers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

from services.intake.domain.placing import CommunityCells
from services.intake.domain.submission import Limits, SubmitReport, accept_report
from services.intake.publisher import ReportPublisher
from shared.city import City
from shared.city.records import App
from shared.events import encode
from shared.events.reports import ReportSubmitted

SOURCE = "/gridloop/intake"


@dataclass
class IntakeMetrics:
    accepted: Counter
    rejected: Counter
    ack_seconds: Histogram


@dataclass
class Intake:
    """Everything a request needs, wired once in the lifespan."""

    city: City
    publisher: ReportPublisher
    limits: Limits
    metrics: IntakeMetrics
    # Address-only reports are keyed by their community's cell: computed once per community.
    community_cells: CommunityCells = field(init=False)

    def __post_init__(self) -> None:
        self.community_cells = CommunityCells(self.city)


async def submit_report(intake: Intake, submission: SubmitReport, app: App) -> ReportSubmitted:
    """Raises `Rejection` for a report the city won't take, `BrokerUnavailable` when Kafka is down."""
    report = accept_report(
        submission,
        app=app,
        city=intake.city,
        limits=intake.limits,
        now=datetime.now(UTC),
        community_cells=intake.community_cells,
    )
    # The CloudEvent id is the app's report id, so a retried POST is the same event and is
    # deduplicated downstream, whichever intake instance took it.
    record = encode(report, source=SOURCE, event_id=report.report_id)
    started = time.perf_counter()
    await intake.publisher.publish(record)
    intake.metrics.ack_seconds.observe(time.perf_counter() - started)
    intake.metrics.accepted.labels(report.source_type).inc()
    return report
