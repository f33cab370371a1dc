"""Cases and actors for handling's domain tests, built by taking real steps through the lifecycle."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.handling.domain import (
    SYSTEM_ROLE,
    Accept,
    Actor,
    Assign,
    Case,
    Close,
    Command,
    Resolve,
    State,
    Step,
    Verify,
    apply,
    open_case,
)
from shared.events.cases import CaseOpened
from shared.events.reports import GeoPoint

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DISPATCH = Actor(id="/gridloop/dispatch", role=SYSTEM_ROLE)
ASSIGNEE = Actor(id="w-001", role="grid_worker")
VERIFIER = Actor(id="c-001", role="grid_chief")
STRANGER = Actor(id="w-999", role="grid_worker")


def opened_event(case_id: uuid.UUID | None = None) -> CaseOpened:
    return CaseOpened(
        case_id=case_id or uuid.uuid4(),
        occurred_at=NOW,
        report_id=uuid.uuid4(),
        category="environment.rubbish",
        nature="event",
        priority="normal",
        tier="grid",
        location=GeoPoint(lon=120.16, lat=33.35),
        description="rubbish piling up by the east gate",
        grid_id="g-01",
        community_id="c-01",
        street_id="s-01",
        district_id="d-01",
        department_id=None,
        source_type="resident",
        reporter_id="r-1",
        app_id="resident-app",
        resolve_by=NOW + timedelta(days=2),
        close_by=NOW + timedelta(days=3),
    )


def assign_command(*, assignee: Actor = ASSIGNEE, verifier: Actor = VERIFIER) -> Assign:
    return Assign(
        event_id=uuid.uuid4(),
        assignee_id=assignee.id,
        assignee_role=assignee.role,
        unit_id="g-01",
        verifier_id=verifier.id,
        tier="grid",
        grid_id="g-01",
        resolve_by=NOW + timedelta(days=2),
        close_by=NOW + timedelta(days=3),
    )


# The one command for each step, and who may give it on the happy path.
COMMANDS: dict[Step, tuple[Command, Actor]] = {
    Step.ASSIGN: (assign_command(), DISPATCH),
    Step.ACCEPT: (Accept(note="on my way"), ASSIGNEE),
    Step.RESOLVE: (Resolve(note="cleared", evidence=("https://img.example/1.jpg",)), ASSIGNEE),
    Step.PASS_VERIFICATION: (Verify(passed=True, note="checked on site"), VERIFIER),
    Step.FAIL_VERIFICATION: (Verify(passed=False, note="still a pile behind the wall"), VERIFIER),
    Step.CLOSE: (Close(note="done"), VERIFIER),
}

# The steps that bring a fresh case to each state.
PATH_TO: dict[State, tuple[Step, ...]] = {
    State.OPENED: (),
    State.ASSIGNED: (Step.ASSIGN,),
    State.ACCEPTED: (Step.ASSIGN, Step.ACCEPT),
    State.RESOLVED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE),
    State.VERIFIED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE, Step.PASS_VERIFICATION),
    State.CLOSED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE, Step.PASS_VERIFICATION, Step.CLOSE),
}


class CaseBook:
    """Builds cases in any state by taking the happy path's real steps."""

    now = NOW
    dispatch = DISPATCH
    assignee = ASSIGNEE
    verifier = VERIFIER
    stranger = STRANGER

    def opened_event(self, case_id: uuid.UUID | None = None) -> CaseOpened:
        return opened_event(case_id)

    def assign_command(self, *, assignee: Actor = ASSIGNEE, verifier: Actor = VERIFIER) -> Assign:
        return assign_command(assignee=assignee, verifier=verifier)

    def command(self, step: Step) -> tuple[Command, Actor]:
        return COMMANDS[step]

    def new_case(self, case_id: uuid.UUID | None = None) -> Case:
        return open_case(opened_event(case_id), event_id=uuid.uuid4(), actor=DISPATCH, now=NOW)

    def take(self, case: Case, *steps: Step) -> Case:
        for step in steps:
            command, actor = COMMANDS[step]
            case, _ = apply(case, command, actor, NOW)
        return case

    def case_in(self, state: State, case_id: uuid.UUID | None = None) -> Case:
        return self.take(self.new_case(case_id), *PATH_TO[state])


@pytest.fixture
def book() -> CaseBook:
    return CaseBook()


@pytest.fixture
def resolved_case(book: CaseBook) -> Case:
    return book.case_in(State.RESOLVED)
