"""One handler per command. ``submit_report`` validates, then publishes, then answers.

A report is accepted only once the broker has it: the answer comes after every in-sync replica
acknowledged. Refusals and a broker that is away are counted here, by reason, and raised for the API to
answer (``api/errors.py``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from services.intake.domain.placing import CommunityCells
from services.intake.domain.submission import Limits, Rejection, SubmitReport, accept_report
from services.intake.metrics import IntakeMetrics
from services.intake.ports import BrokerUnavailable, Clock, Publisher, utc_now
from shared.city import City
from shared.city.records import App
from shared.events import encode
from shared.events.reports import ReportSubmitted

log = logging.getLogger(__name__)

SOURCE = "/gridloop/intake"


@dataclass
class Intake:
    """Everything a request needs, wired once by ``bootstrap()``."""

    city: City
    publisher: Publisher
    limits: Limits
    metrics: IntakeMetrics
    clock: Clock = utc_now
    # Address-only reports are keyed by their community's cell: computed once per community.
    community_cells: CommunityCells = field(init=False)

    def __post_init__(self) -> None:
        self.community_cells = CommunityCells(self.city)


async def submit_report(intake: Intake, submission: SubmitReport, app: App) -> ReportSubmitted:
    """Raises ``Rejection`` for a report the city won't take, ``BrokerUnavailable`` when Kafka is down."""
    try:
        report = accept_report(
            submission,
            app=app,
            city=intake.city,
            limits=intake.limits,
            now=intake.clock(),
            community_cells=intake.community_cells,
        )
    except Rejection as rejection:
        intake.metrics.rejected.labels(rejection.code).inc()
        raise
    # The CloudEvent id is the app's report id, so a retried POST is the same event and is
    # deduplicated downstream, whichever intake instance took it.
    record = encode(report, source=SOURCE, event_id=report.report_id)
    started = time.perf_counter()
    try:
        await intake.publisher.publish(record)
    except BrokerUnavailable as exc:
        intake.metrics.rejected.labels("broker_unavailable").inc()
        log.warning(
            "broker unavailable; report not accepted",
            extra={"report_id": str(submission.report_id), "error": str(exc)},
        )
        raise
    intake.metrics.ack_seconds.observe(time.perf_counter() - started)
    intake.metrics.accepted.labels(report.source_type).inc()
    log.info("report accepted", extra={"report_id": str(report.report_id), "app_id": app.app_id})
    return report
