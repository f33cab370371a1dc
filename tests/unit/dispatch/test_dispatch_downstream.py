"""What handling and scoring make of dispatch's merge and void outcomes: a merged report is one more
timeline entry crediting its reporter on the existing case, never a second case; scoring credits the merged
reporter on the same case (once) and keeps a voided report as a report that was not valid."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.dispatch.domain import case_id_for, dispatch_report, locate
from services.dispatch.domain.outcomes import Merged, Voided, merged_events, voided_events
from services.handling.domain import SYSTEM_ROLE, Actor, Case, State, open_case
from services.handling.domain.merges import credit_merged_report
from services.handling.domain.model import Annotation
from services.scoring.domain import apply_event
from shared.events.cases import CaseEvent, CaseOpened
from shared.events.triage import ReportMergedIntoCase
from tests.unit.dispatch.conftest import CITY, SUBMITTED_AT, make_report

FIRST = make_report(reporter_id="resident-1")
AGAIN = make_report(reporter_id="resident-2", source_type="delivery_rider")
MERGE = merged_events(
    AGAIN,
    Merged(case_id_for(FIRST.report_id), FIRST.report_id, 12.0),
    dispatched_at=SUBMITTED_AT + timedelta(minutes=5),
    priority="normal",
)[0]


def _opened() -> CaseOpened:
    event = dispatch_report(FIRST, city=CITY, dispatched_at=SUBMITTED_AT)[0].event
    assert isinstance(event, CaseOpened)
    return event


def _merged() -> ReportMergedIntoCase:
    assert isinstance(MERGE.event, ReportMergedIntoCase)
    return MERGE.event


OPENED, MERGED = _opened(), _merged()


def handling_case() -> Case:
    return open_case(
        OPENED,
        event_id=uuid.uuid4(),
        actor=Actor(id="/gridloop/dispatch", role=SYSTEM_ROLE),
        now=SUBMITTED_AT,
    )


def test_handling_credits_the_merged_reporter_on_the_same_case_without_changing_its_state() -> None:
    case = handling_case()

    after = credit_merged_report(case, MERGED, event_id=MERGE.event_id, now=SUBMITTED_AT)

    entry = after.history[-1]
    assert after.id == case.id
    assert after.state is State.OPENED
    assert (entry.action, entry.actor_id, entry.actor_role) == (
        Annotation.MERGE,
        "resident-2",
        "delivery_rider",
    )
    assert (entry.from_state, entry.to_state) == (State.OPENED, State.OPENED)
    assert str(AGAIN.report_id) in (entry.note or "")


def test_handling_credits_a_merge_once_however_often_it_arrives() -> None:
    once = credit_merged_report(handling_case(), MERGED, event_id=MERGE.event_id, now=SUBMITTED_AT)

    twice = credit_merged_report(once, MERGED, event_id=MERGE.event_id, now=SUBMITTED_AT)

    assert twice is once


def test_scoring_credits_a_merged_reporter_once_on_the_same_case_and_keeps_voided_reports_apart() -> None:
    fact = apply_event(None, OPENED)
    voided = voided_events(
        AGAIN, Voided("blocked_words", "spam"), where=locate(CITY, AGAIN.location), dispatched_at=SUBMITTED_AT
    )[0].event

    merged = apply_event(fact, MERGED)
    assert merged.case_id == fact.case_id
    assert [(r.source_type, r.reporter_id) for r in merged.reports] == [
        ("resident", "resident-1"),
        ("delivery_rider", "resident-2"),
    ]
    assert apply_event(merged, MERGED) == merged
    assert not isinstance(voided, CaseEvent)  # a voided report is its own fact in scoring, not a case
