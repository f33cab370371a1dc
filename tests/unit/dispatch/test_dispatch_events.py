"""The events dispatch emits for a report: deterministic ids, the catalogue's classification, byte-identical
records when a report is processed again, and refusals for what can never become a case."""

from __future__ import annotations

import uuid

import pytest

from services.dispatch.domain import UnknownCategory, case_id_for, dispatch_report
from services.dispatch.handlers import SOURCE, PoisonReport, handle_report_submitted
from shared.events import Envelope, Event, decode, derived_id, encode
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.triage import ReportVoided
from tests.unit.dispatch.conftest import CITY, RULES, SUBMITTED_AT, fresh_triage, make_report


def envelope_of(event: Event, event_id: uuid.UUID | None = None) -> Envelope:
    record = encode(event, source="/gridloop/intake", event_id=event_id)
    return decode(record.headers, record.value)


def test_a_report_yields_case_opened_then_case_assigned_with_derived_ids() -> None:
    report = make_report()
    case_id = case_id_for(report.report_id)

    opened, assigned = dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)

    assert case_id == derived_id("case", report.report_id)
    assert isinstance(opened.event, CaseOpened)
    assert isinstance(assigned.event, CaseAssigned)
    assert opened.event_id == derived_id(case_id, "opened")
    assert assigned.event_id == derived_id(case_id, "assigned")
    assert opened.event.case_id == assigned.event.case_id == case_id


def test_the_case_is_classified_from_the_catalogue_and_keeps_the_reports_facts() -> None:
    report = make_report(
        category="public_facility.manhole_cover", source_type="grid_worker", reporter_id="w-1"
    )

    opened = dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)[0].event

    assert isinstance(opened, CaseOpened)
    assert (opened.nature, opened.priority, opened.tier, opened.department_id) == (
        "public_facility",
        "urgent",
        "district",
        "dept-utilities",
    )
    assert (opened.report_id, opened.description, opened.source_type, opened.reporter_id, opened.app_id) == (
        report.report_id,
        report.description,
        "grid_worker",
        "w-1",
        report.app_id,
    )


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(UnknownCategory, match=r"no_such\.category"):
        dispatch_report(make_report(category="no_such.category"), city=CITY, dispatched_at=SUBMITTED_AT)


def test_processing_a_report_twice_yields_byte_identical_records() -> None:
    report = make_report()

    first = handle_report_submitted(
        envelope_of(report), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
    )
    # A client's retry reaches dispatch as a second message with its own CloudEvents id.
    again = handle_report_submitted(
        envelope_of(report, uuid.uuid4()), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
    )

    assert [r.event_id for r in first.records] == [r.event_id for r in again.records]
    assert first.records == again.records


def test_records_are_cloudevents_from_dispatch_keyed_by_case_on_the_case_events_topic() -> None:
    report = make_report()

    dispatched = handle_report_submitted(
        envelope_of(report), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
    )

    case_id = str(case_id_for(report.report_id))
    assert [r.topic for r in dispatched.records] == ["gridloop.case-events"] * 2
    assert {r.key for r in dispatched.records} == {case_id.encode()}
    envelopes = [decode(r.headers, r.value) for r in dispatched.records]
    assert [e.type for e in envelopes] == ["gridloop.case.opened.v1", "gridloop.case.assigned.v1"]
    assert {e.source for e in envelopes} == {SOURCE} == {"/gridloop/dispatch"}
    assert [e.data for e in envelopes] == [dispatched.opened, dispatched.assigned]


def test_a_report_in_an_unknown_category_is_voided_with_the_reason() -> None:
    report = make_report(category="no_such.thing")

    dispatched = handle_report_submitted(
        envelope_of(report), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
    )

    (record,) = dispatched.records
    voided = decode(record.headers, record.value).data
    assert isinstance(voided, ReportVoided)
    assert (voided.report_id, voided.reason) == (report.report_id, "category_unknown")
    assert record.key == str(report.report_id).encode()


def test_an_event_other_than_a_report_on_the_reports_topic_is_poison() -> None:
    report = make_report()
    opened = dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)[0].event

    with pytest.raises(PoisonReport, match=r"gridloop\.case\.opened\.v1"):
        handle_report_submitted(
            envelope_of(opened), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
        )
