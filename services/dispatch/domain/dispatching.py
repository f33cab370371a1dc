"""Turn one submitted report into the events that open and assign its case.

Everything is derived from the report and the city: the case id from the report id, each event id from
the case id and the step, the clock from the report. Processing the same report twice (a redelivery, a
client's retry) therefore yields the very same events, which consumers dedupe by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from uuid import UUID

from services.dispatch.domain.assignment import Workload, assign, assignment_to, tier_for
from services.dispatch.domain.deadlines import deadlines_for
from services.dispatch.domain.jurisdiction import Jurisdiction, locate
from shared.city import Category, City, Person
from shared.events import Event, derived_id
from shared.events.cases import CaseAssigned, CaseOpened, Priority
from shared.events.reports import ReportSubmitted
from shared.worktime import WorkTime


class UnknownCategory(Exception):
    """The report names a category the city's catalogue does not have (intake should have refused it)."""


@dataclass(frozen=True)
class OutgoingEvent:
    """An event to emit, with its deterministic CloudEvents id."""

    event_id: UUID
    event: Event


@lru_cache(maxsize=1024)
def case_id_for(report_id: UUID) -> UUID:
    # Memoised: the handler asks for a report's case id to triage it, and dispatch_report again to open
    # it. A uuid5 is a SHA-1 and a few UUID objects.
    return derived_id("case", report_id)


def dispatch_clock(report: ReportSubmitted) -> datetime:
    """The instant the case's clock starts.

    Dispatch is automatic and follows submission within milliseconds, so the submission time stands for
    the dispatch time. Taking it from the report rather than from the wall clock makes a reprocessed
    report yield byte-identical events, so its CaseOpened and CaseAssigned always agree on deadlines.
    """
    submitted = report.submitted_at
    return submitted.replace(tzinfo=UTC) if submitted.tzinfo is None else submitted.astimezone(UTC)


def registry_on(city: City, dispatched_at: datetime) -> City:
    """The registry in force on the dispatch instant's day in the city: a boundary or staff change applies
    from its date, and a report is located and assigned with the grids and people of its own day."""
    return city.as_of(city.local_time(dispatched_at).date())


def dispatch_report(
    report: ReportSubmitted,
    *,
    city: City,
    dispatched_at: datetime,
    sla_scale: float = 1.0,
    worktime: WorkTime | None = None,
    priority: Priority | None = None,
    where: Jurisdiction | None = None,
    workload: Workload | None = None,
    assignee_id: str | None = None,
) -> list[OutgoingEvent]:
    """CaseOpened, then CaseAssigned unless nobody can be named: a report placed in no grid and no
    community (by its point, else its address in the gazetteer) waits for an operator's manual triage.

    ``city`` is the registry of the report's day (`registry_on`). ``priority`` is the triage rules' verdict
    (default: the category's). A raised priority reaches the deadlines as the category's own would: the
    clock of an urgent case is the urgent one. ``where`` is the report's jurisdiction when the caller has
    located it already. The case goes to ``assignee_id`` when the choice was made (and remembered) before,
    else to the least-loaded candidate by ``workload`` (open cases per person), else to the stable pick.
    Raises UnknownCategory when the catalogue has no such category.
    """
    category = _category(city, report.category)
    if priority is not None and priority != category.priority:
        category = category.model_copy(update={"priority": priority})
    case_id = case_id_for(report.report_id)
    if where is None:
        where = locate(city, report.location, report.address)
    # Unplaced cases go to the district command centre's operators.
    tier = tier_for(category, where)
    # One computation at the case's tier, so that CaseOpened and CaseAssigned agree on every deadline.
    deadlines = deadlines_for(
        category,
        dispatched_at=dispatched_at,
        tier=tier,
        district_id=where.district_id,
        worktime=worktime,
        sla_scale=sla_scale,
    )
    opened = CaseOpened(
        case_id=case_id,
        occurred_at=dispatched_at,
        report_id=report.report_id,
        category=category.code,
        nature=category.nature,
        priority=category.priority,
        tier=tier,
        location=report.location,
        description=report.description,
        grid_id=where.grid_id,
        community_id=where.community_id,
        street_id=where.street_id,
        district_id=where.district_id,
        department_id=category.department_id,
        source_type=report.source_type,
        reporter_id=report.reporter_id,
        app_id=report.app_id,
        resolve_by=deadlines.resolve_by,
        close_by=deadlines.close_by,
        accept_by=deadlines.accept_by,
        yellow_at=deadlines.yellow_at,
        red_at=deadlines.red_at,
    )
    events = [OutgoingEvent(derived_id(case_id, "opened"), opened)]
    # The grid's workers on duty at the dispatch instant (the report's clock, so a reprocessed report goes
    # to the same person).
    chosen = _person(city, assignee_id) if where.placed else None
    assignment = (
        assignment_to(city, where, chosen)
        if chosen is not None
        else assign(city, category, where, case_id, at=dispatched_at, workload=workload)
    )
    if assignment is not None:
        assigned = CaseAssigned(
            case_id=case_id,
            occurred_at=dispatched_at,
            assignee_id=assignment.assignee.person_id,
            assignee_role=assignment.assignee.role,
            tier=assignment.tier,
            unit_id=assignment.unit_id,
            verifier_id=assignment.verifier.person_id,
            grid_id=where.grid_id,
            resolve_by=deadlines.resolve_by,
            close_by=deadlines.close_by,
            accept_by=deadlines.accept_by,
            yellow_at=deadlines.yellow_at,
            red_at=deadlines.red_at,
        )
        events.append(OutgoingEvent(derived_id(case_id, "assigned"), assigned))
    return events


def _person(city: City, person_id: str | None) -> Person | None:
    if person_id is None:
        return None
    try:
        return city.person(person_id)
    except KeyError:  # the city's files no longer list them: choose again
        return None


def _category(city: City, code: str) -> Category:
    try:
        return city.category(code)
    except KeyError:
        raise UnknownCategory(f"unknown category {code!r}") from None
