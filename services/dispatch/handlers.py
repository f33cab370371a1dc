"""One handler: a submitted report in, the Kafka records of its case's first events out."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.dispatch.domain import UnknownCategory, case_id_for, dispatch_clock, dispatch_report
from shared.city import City
from shared.events import Envelope, KafkaRecord, encode
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.reports import ReportSubmitted

SOURCE = "/gridloop/dispatch"


class PoisonReport(Exception):
    """A decodable message that can never become a case: it goes to the dead letters."""


@dataclass(frozen=True)
class Dispatched:
    report_id: UUID
    case_id: UUID
    opened: CaseOpened
    assigned: CaseAssigned | None
    records: list[KafkaRecord]


def handle_report_submitted(envelope: Envelope, *, city: City, sla_scale: float) -> Dispatched:
    report = envelope.data
    if not isinstance(report, ReportSubmitted):
        raise PoisonReport(f"the reports topic carries only report events, got {envelope.type}")
    dispatched_at = dispatch_clock(report)
    try:
        outgoing = dispatch_report(report, city=city, dispatched_at=dispatched_at, sla_scale=sla_scale)
    except UnknownCategory as exc:
        raise PoisonReport(str(exc)) from exc
    opened = next(o.event for o in outgoing if isinstance(o.event, CaseOpened))
    assigned = next((o.event for o in outgoing if isinstance(o.event, CaseAssigned)), None)
    return Dispatched(
        report_id=report.report_id,
        case_id=case_id_for(report.report_id),
        opened=opened,
        assigned=assigned,
        # The CloudEvents time is the dispatch instant too, so a reprocessed report's records are
        # byte-identical to the first ones.
        records=[encode(o.event, source=SOURCE, event_id=o.event_id, time=dispatched_at) for o in outgoing],
    )
