"""The handler of a submitted report: the report in, the Kafka records of its triage outcome and the
changes to the partition's triage state out. (A closed case needs no handler of its own: the closure
agents take it out of the partition's state directly, ``closures.py``.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from services.dispatch.domain import (
    Jurisdiction,
    assign,
    case_id_for,
    dispatch_clock,
    dispatch_report,
    locate,
)
from services.dispatch.domain.assignment import Workload
from services.dispatch.domain.changes import Change
from services.dispatch.domain.dispatching import registry_on
from services.dispatch.domain.outcomes import Merged, Opened, Outcome, Voided, merged_events, voided_events
from services.dispatch.domain.rules import TriageRules, effective_priority
from services.dispatch.domain.triage import PartitionTriage
from shared.city import Category, City
from shared.events import Envelope, KafkaRecord, encode
from shared.events.cases import CaseAssigned, CaseOpened, Priority
from shared.events.reports import ReportSubmitted
from shared.worktime import WorkTime

SOURCE = "/gridloop/dispatch"


class PoisonReport(Exception):
    """A decodable message that can never be triaged: it goes to the dead letters."""


@dataclass(frozen=True)
class Dispatched:
    report_id: UUID
    outcome: Outcome
    priority: Priority | None
    records: list[KafkaRecord]
    # What the partition's state must persist before the records are published.
    changes: list[Change] = field(default_factory=list)
    opened: CaseOpened | None = None
    assigned: CaseAssigned | None = None


def handle_report_submitted(
    envelope: Envelope,
    *,
    city: City,
    rules: TriageRules,
    triage: PartitionTriage,
    sla_scale: float,
    worktime: WorkTime | None = None,
) -> Dispatched:
    report = envelope.data
    if not isinstance(report, ReportSubmitted):
        raise PoisonReport(f"the reports topic carries only report events, got {envelope.type}")
    dispatched_at = dispatch_clock(report)
    registry = registry_on(city, dispatched_at)
    category = _category(registry, report.category)
    case_id = case_id_for(report.report_id)
    located: list[Jurisdiction] = []  # located only when the outcome needs it (a merge does not)

    def where() -> Jurisdiction:
        if not located:
            located.append(locate(registry, report.location, report.address))
        return located[0]

    def choose_assignee(workload: Workload) -> str | None:
        assert category is not None  # a report of an unknown category is voided, never opened
        assignment = assign(registry, category, where(), case_id, at=dispatched_at, workload=workload)
        return None if assignment is None else assignment.assignee.person_id

    outcome, changes = triage.decide(report, category, case_id, choose_assignee=choose_assignee)
    priority = None if category is None else effective_priority(report, category, rules.priority)
    opened = assigned = None
    if isinstance(outcome, Opened):
        assert priority is not None
        outgoing = dispatch_report(
            report,
            city=registry,
            dispatched_at=dispatched_at,
            sla_scale=sla_scale,
            priority=priority,
            worktime=worktime,
            where=where(),
            # The choice made with this partition's workload when the case opened (remembered with the
            # outcome, so a reprocessed report goes to the same person).
            assignee_id=outcome.assignee_id,
        )
        opened = next(o.event for o in outgoing if isinstance(o.event, CaseOpened))
        assigned = next((o.event for o in outgoing if isinstance(o.event, CaseAssigned)), None)
    elif isinstance(outcome, Merged):
        assert priority is not None
        outgoing = merged_events(report, outcome, dispatched_at=dispatched_at, priority=priority)
    else:
        assert isinstance(outcome, Voided)
        outgoing = voided_events(report, outcome, where=where(), dispatched_at=dispatched_at)
    return Dispatched(
        report_id=report.report_id,
        outcome=outcome,
        priority=priority,
        # The CloudEvents time is the dispatch instant too, so a reprocessed report's records are
        # byte-identical to the first ones.
        records=[encode(o.event, source=SOURCE, event_id=o.event_id, time=dispatched_at) for o in outgoing],
        changes=changes,
        opened=opened,
        assigned=assigned,
    )


def _category(city: City, code: str) -> Category | None:
    try:
        return city.category(code)
    except KeyError:
        return None
