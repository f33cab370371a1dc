"""One case, written out four times: dispatch's ``CaseOpened`` (the contract), the domain's ``Case``,
the API's ``CaseView`` and the stream's ``StreamedCase``. Each needs its own declaration (a contract,
a model, documented HTTP documents), so these tests keep them in step: a field added to one fails here
until the others take it, or it is listed below as left out, with the reason."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.handling.domain import Case, RequestKind, State, Step, open_case
from services.handling.schemas import CaseView, StreamedCase
from shared.events.cases import CaseOpened
from tests.builders import case_opened
from tests.unit.handling.conftest import DISPATCH, NOW, CaseBook

# What a CaseOpened says that the case keeps under another name.
RENAMED_FROM_OPENED = {"case_id": "id", "occurred_at": "opened_at"}
# What it says that the case does not keep: who reported it (scoring credits reporters from the event).
NOT_KEPT_FROM_OPENED = {"source_type", "reporter_id", "app_id"}
# What a view leaves out: the timeline is a document of its own (``/timeline``, and ``CaseDetail``); when
# the holder received the case and when a deferral paused it are bookkeeping for the rules.
NOT_SHOWN = {"history", "assigned_at", "paused_at"}
# The stream sends the case as routing and watching need it (state, places, holder, deadlines, light);
# the rest is one GET away.
NOT_STREAMED = {
    "id",
    "report_id",
    "nature",
    "location",
    "description",
    "assignee_role",
    "opened_at",
    "updated_at",
    "assigned_at",
    "pending",
    "extensions",
    "reworks",
    "paused_at",
    "resume_at",
    "exempt_from_lateness",
    "consultation",
    "history",
}


def cases_with_every_field(book: CaseBook) -> list[Case]:
    """Cases whose optional parts are filled: a consultation, a pending request, deadlines."""
    pending = book.take(book.case_in(State.ACCEPTED), Step.REQUEST_EXTENSION)
    assert pending.pending is not None
    assert pending.pending.kind is RequestKind.EXTENSION
    return [book.case_in(State.IN_CONSULTATION), pending, book.case_in(State.CLOSED)]


def test_every_field_of_case_opened_is_kept_by_the_case_or_left_out_on_purpose():
    opened = case_opened(now=NOW, accept_by=NOW + timedelta(hours=2), yellow_at=NOW + timedelta(days=1))
    case = open_case(opened, event_id=uuid.uuid4(), actor=DISPATCH, now=NOW)
    as_event = opened.model_dump(mode="json")
    as_case = case.model_dump(mode="json")

    unaccounted = set(CaseOpened.model_fields) - set(Case.model_fields) - set(RENAMED_FROM_OPENED)
    assert unaccounted == NOT_KEPT_FROM_OPENED
    for name in set(CaseOpened.model_fields) - NOT_KEPT_FROM_OPENED:
        assert as_case[RENAMED_FROM_OPENED.get(name, name)] == as_event[name], name


def test_every_field_of_a_case_is_in_its_view_or_left_out_on_purpose():
    assert set(Case.model_fields) - set(CaseView.model_fields) == NOT_SHOWN


def test_a_view_shows_each_field_as_the_case_has_it(book: CaseBook):
    for case in cases_with_every_field(book):
        view = CaseView.of_case(case, NOW).model_dump(mode="json")
        model = case.model_dump(mode="json")
        for name in set(view) & set(model):
            assert view[name] == model[name], (case.state, name)


def test_every_field_of_a_case_is_streamed_or_left_out_on_purpose():
    assert set(StreamedCase.model_fields) <= set(Case.model_fields)
    assert set(Case.model_fields) - set(StreamedCase.model_fields) == NOT_STREAMED


def test_the_stream_sends_each_field_as_the_case_has_it(book: CaseBook):
    for case in cases_with_every_field(book):
        streamed = StreamedCase.model_validate(case.model_dump()).model_dump(mode="json")
        model = case.model_dump(mode="json")
        assert streamed == {name: model[name] for name in StreamedCase.model_fields}, case.state
