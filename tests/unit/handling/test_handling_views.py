"""What people see of a case: its countdown, whether it is overdue, and whether they may see it at all."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.handling.domain import SYSTEM_ROLE, Actor, State, open_case
from services.handling.domain.access import Viewer, can_see
from services.handling.schemas import CaseView, LocationView, decode_cursor, encode_cursor
from tests.unit.handling.conftest import NOW, opened_event


def test_an_open_case_counts_down_to_its_close_by_time(book):
    case = book.case_in(State.ACCEPTED)
    view = CaseView.of_case(case, case.close_by - timedelta(minutes=10))
    assert view.time_left_seconds == 600
    assert view.overdue is False


def test_an_open_case_past_close_by_is_overdue_with_negative_time_left(book):
    case = book.case_in(State.RESOLVED)
    view = CaseView.of_case(case, case.close_by + timedelta(seconds=30))
    assert view.time_left_seconds == -30
    assert view.overdue is True


def test_a_closed_case_has_no_countdown_and_is_overdue_only_if_closed_late(book):
    closed = book.case_in(State.CLOSED)
    on_time = CaseView.of_case(closed, closed.close_by + timedelta(days=10))
    assert on_time.time_left_seconds is None
    assert on_time.overdue is False
    late = closed.model_copy(update={"updated_at": closed.close_by + timedelta(hours=1)})
    assert CaseView.of_case(late, late.close_by + timedelta(days=10)).overdue is True


def test_a_voided_or_deferred_case_is_never_overdue_its_clock_is_not_running(book):
    for state in (State.VOIDED, State.DEFERRED):
        case = book.case_in(State.ACCEPTED).model_copy(update={"state": state})
        assert CaseView.of_case(case, case.close_by + timedelta(days=3)).overdue is False, state


def test_assignee_verifier_units_and_the_city_see_a_case_and_nobody_else_does(book):
    case = book.case_in(State.ASSIGNED)
    sees = [
        Viewer(person_id=book.assignee.id, role="grid_worker", unit_id="elsewhere"),
        Viewer(person_id=book.verifier.id, role="grid_chief", unit_id="elsewhere"),
        Viewer(person_id="op-1", role="operator", unit_id=case.district_id),
        Viewer(person_id="co-1", role="community_officer", unit_id=case.community_id),
        Viewer(person_id="sup-1", role="supervisor", unit_id="yancheng", city_wide=True),
    ]
    blind = Viewer(person_id="op-2", role="operator", unit_id="d-another-district")
    assert all(can_see(viewer, case) for viewer in sees)
    assert not can_see(blind, case)


def test_a_cursor_round_trips(book):
    case = book.new_case()
    assert decode_cursor(encode_cursor(case.opened_at, case.id)) == (case.opened_at, case.id)


def test_a_case_opened_from_an_address_only_report_has_no_point_in_the_domain_or_the_view() -> None:
    opened = opened_event().model_copy(update={"location": None, "grid_id": None})
    system = Actor(id="/gridloop/dispatch", role=SYSTEM_ROLE)

    case = open_case(opened, event_id=uuid.uuid4(), actor=system, now=opened.occurred_at)

    assert case.location is None
    assert CaseView.of_case(case, opened.occurred_at).location is None


def test_a_case_row_without_a_point_shows_a_null_location_and_one_with_a_point_shows_it(book):
    row = CaseView.of_case(book.new_case(), NOW).model_dump() | {"lon": None, "lat": None}
    del row["location"]

    assert CaseView.of(row, NOW).location is None
    assert CaseView.of(row | {"lon": 120.1, "lat": 33.3}, NOW).location == LocationView(lon=120.1, lat=33.3)
