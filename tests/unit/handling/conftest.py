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
    Callback,
    Case,
    Close,
    Command,
    Decide,
    DecideConsultation,
    Escalate,
    Holder,
    Reassign,
    RecordOpinion,
    Request,
    RequestKind,
    Resolve,
    Resume,
    Start,
    StartConsultation,
    State,
    Step,
    Supervise,
    Verify,
    apply,
    open_case,
)
from services.handling.domain.access import Viewer
from shared.city import load_city
from shared.events.cases import CaseOpened
from shared.settings import REPO_ROOT
from tests.builders import case_assigned, case_opened

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# Past the case's handling deadline: when a timeout appeal makes sense.
LATE = NOW + timedelta(days=2, hours=1)
DISPATCH = Actor(id="/gridloop/dispatch", role=SYSTEM_ROLE)
TIMERS = Actor(id="/gridloop/handling", role=SYSTEM_ROLE)
ASSIGNEE = Actor(id="w-001", role="grid_worker", unit_id="g-01")
VERIFIER = Actor(id="c-001", role="grid_chief", unit_id="g-01")
STRANGER = Actor(id="w-999", role="grid_worker", unit_id="g-02")
OPERATOR = Actor(id="op-01", role="operator", unit_id="d-01")
SUPERVISOR = Actor(id="sv-01", role="supervisor", unit_id="d-01")
COMMUNITY_OFFICER = Actor(id="co-01", role="community_officer", unit_id="c-01")
STREET_OFFICER = Actor(id="so-01", role="street_officer", unit_id="s-01")
DEPARTMENT = Actor(id="dh-01", role="department_handler", unit_id="dept-01")
PEOPLE = {
    a.id: a for a in (ASSIGNEE, VERIFIER, OPERATOR, SUPERVISOR, COMMUNITY_OFFICER, STREET_OFFICER, DEPARTMENT)
}
COMMUNITY_HOLDER = Holder(person_id="co-01", role="community_officer", unit_id="c-01", tier="community")
STREET_HOLDER = Holder(person_id="so-01", role="street_officer", unit_id="s-01", tier="street")
PHOTO = ("https://img.example/1.jpg",)

# The sample city (city/), for the steps that look up who receives a case in its registry.
CITY = load_city(REPO_ROOT / "city")
# People of a grid of the sample city, whose registry has someone at every tier above the grid.
CITY_WORKER = Actor(id="w-tinghu-wenfeng-01", role="grid_worker", unit_id="g-tinghu-wenfeng-01")
CITY_COMMUNITY_OFFICER = Actor(
    id="co-tinghu-wenfeng-yulong", role="community_officer", unit_id="c-tinghu-wenfeng-yulong"
)


def opened_event(case_id: uuid.UUID | None = None) -> CaseOpened:
    return case_opened(now=NOW, case_id=case_id or uuid.uuid4())


def assign_command(*, assignee: Actor = ASSIGNEE, verifier: Actor = VERIFIER) -> Assign:
    assigned = case_assigned(
        now=NOW, assignee_id=assignee.id, assignee_role=assignee.role, verifier_id=verifier.id
    )
    return Assign.of(assigned, event_id=uuid.uuid4())


def assigned_in_the_city() -> Case:
    """A grid case of the sample city, assigned to the grid's worker."""
    opened = case_opened(
        now=NOW,
        grid_id="g-tinghu-wenfeng-01",
        community_id="c-tinghu-wenfeng-yulong",
        street_id="s-tinghu-wenfeng",
        district_id="d-tinghu",
    )
    case = open_case(opened, event_id=uuid.uuid4(), actor=DISPATCH, now=NOW)
    assigned = case_assigned(
        now=NOW,
        case_id=case.id,
        assignee_id=CITY_WORKER.id,
        unit_id="g-tinghu-wenfeng-01",
        grid_id="g-tinghu-wenfeng-01",
        verifier_id="gc-tinghu-wenfeng-01",
    )
    case, _ = apply(case, Assign.of(assigned, event_id=uuid.uuid4()), DISPATCH, NOW)
    return case


def viewer(actor: Actor) -> Viewer:
    """The actor as the API sees a person with a token."""
    return Viewer(person_id=actor.id, role=actor.role, unit_id=actor.unit_id or "")


def _holder(case: Case) -> Actor:
    return PEOPLE.get(case.assignee_id or "", STRANGER)


def _next_holder(case: Case) -> Holder:
    return COMMUNITY_HOLDER if case.tier == "grid" else STREET_HOLDER


def _approver(kind: RequestKind) -> Actor:
    return {RequestKind.EXTENSION: VERIFIER, RequestKind.APPEAL: SUPERVISOR}.get(kind, OPERATOR)


def _request(kind: RequestKind) -> Request:
    return Request(
        kind=kind,
        note=f"asking for a {kind.value}",
        length="P2D" if kind is RequestKind.EXTENSION else None,
        until=NOW + timedelta(days=5) if kind is RequestKind.DEFERRAL else None,
        evidence=PHOTO if kind is RequestKind.APPEAL else (),
    )


def command_for(step: Step, case: Case) -> tuple[Command, Actor]:
    """The one command for each step and who may give it to ``case`` on a legal path."""
    fixed: dict[Step, tuple[Command, Actor]] = {
        Step.ASSIGN: (assign_command(), DISPATCH),
        Step.REASSIGN: (
            Reassign(holder=Holder(person_id="w-001", role="grid_worker", unit_id="g-01", tier="grid")),
            OPERATOR,
        ),
        Step.ACCEPT: (Accept(note="on my way"), _holder(case)),
        Step.START: (Start(), _holder(case)),
        Step.RESOLVE: (Resolve(note="cleared", evidence=PHOTO), _holder(case)),
        Step.PASS_VERIFICATION: (Verify(passed=True, note="checked on site", evidence=PHOTO), VERIFIER),
        Step.FAIL_VERIFICATION: (Verify(passed=False, note="still a pile behind the wall"), VERIFIER),
        Step.CLOSE: (Close(note="done"), VERIFIER),
        Step.CALLBACK: (Callback(satisfaction=5, note="happy"), OPERATOR),
        Step.REOPEN: (Callback(satisfaction=1, handler_caused=True, note="the pile is back"), OPERATOR),
        Step.RESUME: (Resume(), TIMERS),
        Step.ESCALATE: (Escalate(holder=_next_holder(case), note="beyond the grid"), _holder(case)),
        Step.START_CONSULTATION: (
            StartConsultation(invited_units=("dept-01",), note="joint review"),
            STREET_OFFICER,
        ),
        Step.RECORD_OPINION: (RecordOpinion(unit_id="dept-01", note="ours to lead"), DEPARTMENT),
        Step.DECIDE_CONSULTATION: (
            DecideConsultation(
                holder=Holder(
                    person_id="dh-01", role="department_handler", unit_id="dept-01", tier="district"
                ),
                supporting_units=("s-01",),
                deadline=NOW + timedelta(days=7),
                note="department leads",
            ),
            STREET_OFFICER,
        ),
    }
    if step in fixed:
        return fixed[step]
    if step in (Step.REMIND, Step.YELLOW_CARD, Step.RED_CARD):
        return Supervise(level=step), TIMERS
    verb, kind_text = step.value.split("_", 1)
    kind = RequestKind(kind_text)
    if verb == "request":
        return _request(kind), _holder(case)
    return Decide(kind=kind, approved=verb == "approve", note="decided"), _approver(kind)


# The steps that bring a fresh case to each state.
PATH_TO: dict[State, tuple[Step, ...]] = {
    State.OPENED: (),
    State.ASSIGNED: (Step.ASSIGN,),
    State.ACCEPTED: (Step.ASSIGN, Step.ACCEPT),
    State.IN_PROGRESS: (Step.ASSIGN, Step.ACCEPT, Step.START),
    State.RESOLVED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE),
    State.VERIFIED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE, Step.PASS_VERIFICATION),
    State.CLOSED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE, Step.PASS_VERIFICATION, Step.CLOSE),
    State.REOPENED: (Step.ASSIGN, Step.ACCEPT, Step.RESOLVE, Step.PASS_VERIFICATION, Step.CLOSE, Step.REOPEN),
    State.RETURNED: (Step.ASSIGN, Step.REQUEST_RETURN, Step.APPROVE_RETURN),
    State.DEFERRED: (Step.ASSIGN, Step.ACCEPT, Step.REQUEST_DEFERRAL, Step.APPROVE_DEFERRAL),
    State.VOIDED: (Step.ASSIGN, Step.REQUEST_VOID, Step.APPROVE_VOID),
    State.IN_CONSULTATION: (Step.ASSIGN, Step.ESCALATE, Step.ESCALATE, Step.START_CONSULTATION),
}


class CaseBook:
    """Builds cases in any state by taking real steps."""

    now = NOW
    late = LATE
    dispatch = DISPATCH
    timers = TIMERS
    assignee = ASSIGNEE
    verifier = VERIFIER
    stranger = STRANGER
    operator = OPERATOR
    supervisor = SUPERVISOR

    def opened_event(self, case_id: uuid.UUID | None = None) -> CaseOpened:
        return opened_event(case_id)

    def assign_command(self, *, assignee: Actor = ASSIGNEE, verifier: Actor = VERIFIER) -> Assign:
        return assign_command(assignee=assignee, verifier=verifier)

    def command(self, step: Step, case: Case | None = None) -> tuple[Command, Actor]:
        return command_for(step, case or self.case_in(State.ASSIGNED))

    def new_case(self, case_id: uuid.UUID | None = None) -> Case:
        return open_case(opened_event(case_id), event_id=uuid.uuid4(), actor=DISPATCH, now=NOW)

    def take(self, case: Case, *steps: Step, at: datetime = NOW) -> Case:
        for step in steps:
            command, actor = command_for(step, case)
            case, _ = apply(case, command, actor, at)
        return case

    def case_in(self, state: State, case_id: uuid.UUID | None = None) -> Case:
        return self.take(self.new_case(case_id), *PATH_TO[state])


@pytest.fixture
def book() -> CaseBook:
    return CaseBook()


@pytest.fixture
def resolved_case(book: CaseBook) -> Case:
    return book.case_in(State.RESOLVED)
