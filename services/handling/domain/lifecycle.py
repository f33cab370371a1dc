"""The case lifecycle as data: a table of (state, step) -> (new state, who, when, effect), and one ``apply``.

```
opened --assign/reassign--> assigned --accept--> accepted --start--> in_progress --resolve--> resolved
accepted --resolve--> resolved --pass_verification--> verified --close--> closed --callback--> closed
resolved --fail_verification--> accepted (rework)     closed --reopen--> reopened --accept--> accepted
assigned/accepted --approve_return--> returned --reassign--> assigned
accepted/in_progress --approve_deferral--> deferred --resume--> in_progress
working --approve_void--> voided        working --escalate--> assigned (next tier's holder)
working --start_consultation--> in_consultation --decide_consultation--> assigned (lead unit)
```

Requests (return, extension, deferral, void, appeal) and their rejections, opinions and supervision
(remind, yellow and red cards) keep the state and are rows like any other. A step missing from the table
is illegal in that state (``IllegalTransition``); a step whose ``who`` guard refuses the actor is
``NotPermitted``; one whose ``when`` guard refuses is ``RuleBroken`` (a limit, a cap, nothing pending).
Every applied step appends one timeline entry, and every step except dispatch's assign raises one event
whose id is derived from (case id, step, sequence number): applying the same history again yields the
same ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.handling.domain import effects as fx
from services.handling.domain import guards as g
from services.handling.domain.commands import Assign, Command, Resolve, Verify
from services.handling.domain.events import Raised, raised_by
from services.handling.domain.model import (
    WORKING_STATES,
    Actor,
    Case,
    Location,
    RequestKind,
    State,
    Step,
    TimelineEntry,
)
from services.handling.domain.policy import DEFAULT_POLICY, HandlingPolicy
from shared.events import derived_id
from shared.events.cases import CaseOpened


class LifecycleError(Exception):
    """A command that cannot be applied to a case as it is."""


class IllegalTransition(LifecycleError):
    def __init__(self, state: State, step: Step) -> None:
        super().__init__(f"cannot {step.value} a case that is {state.value}")
        self.state = state
        self.step = step


class NotPermitted(LifecycleError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RuleBroken(LifecycleError):
    """The actor may take the step, but not now: a limit passed, a cap reached, a reason missing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Transition:
    to: State
    who: g.Guard
    when: g.Guard = g.anyone
    effect: fx.Effect = fx.nothing


S = State
HOLDING_ON = (S.ASSIGNED, S.ACCEPTED)  # a return is for a case its receiver has not started on
WORKING_ON = (S.ACCEPTED, S.IN_PROGRESS)
SUPERVISED = (*WORKING_STATES, S.IN_CONSULTATION)
APPEALABLE = tuple(s for s in State if s not in (S.OPENED, S.VOIDED))
OPERATOR = g.roles("operator")


def _rows(
    states: tuple[State, ...], step: Step, transition: Transition | None = None, *, to: State | None = None
) -> dict[tuple[State, Step], Transition]:
    """The same step in several states: to ``to``, or (``to`` None and ``transition.to`` None) staying put."""
    assert transition is not None
    return {
        (s, step): Transition(to or transition.to or s, transition.who, transition.when, transition.effect)
        for s in states
    }


def _same(who: g.Guard, when: g.Guard = g.anyone, effect: fx.Effect = fx.nothing) -> Transition:
    """A transition that keeps the case's state (its ``to`` is filled per row by ``_rows``)."""
    return Transition(None, who, when, effect)  # type: ignore[arg-type]


def _requests() -> dict[tuple[State, Step], Transition]:
    table: dict[tuple[State, Step], Transition] = {}
    asked = (
        (RequestKind.RETURN, HOLDING_ON, g.by_holder, g.all_of(g.within_return_limit, g.with_reason)),
        (RequestKind.EXTENSION, WORKING_ON, g.by_holder, g.all_of(g.with_reason, g.extension_allowed)),
        (RequestKind.DEFERRAL, WORKING_ON, g.by_holder, g.all_of(g.with_reason, g.deferral_allowed)),
        (RequestKind.VOID, WORKING_STATES, g.any_of(g.by_holder, OPERATOR), g.with_reason),
        (RequestKind.APPEAL, APPEALABLE, g.by_holder, g.all_of(g.late, g.with_reason, g.with_evidence)),
    )
    approved_to: dict[RequestKind, State | None] = {
        RequestKind.RETURN: S.RETURNED,
        RequestKind.DEFERRAL: S.DEFERRED,
        RequestKind.VOID: S.VOIDED,
        RequestKind.EXTENSION: None,
        RequestKind.APPEAL: None,
    }
    for kind, states, who, when in asked:
        table |= _rows(
            states, Step(f"request_{kind}"), _same(who, g.all_of(g.nothing_pending, when), fx.request)
        )
        decided = _same(g.by_approver, g.has_pending(kind), fx.decide)
        table |= _rows(states, Step(f"approve_{kind}"), decided, to=approved_to[kind])
        table |= _rows(states, Step(f"reject_{kind}"), decided)
    return table


TRANSITIONS: Mapping[tuple[State, Step], Transition] = {
    (S.OPENED, Step.ASSIGN): Transition(S.ASSIGNED, g.by_system, effect=fx.assign),
    (S.OPENED, Step.REASSIGN): Transition(S.ASSIGNED, OPERATOR, g.standards_met, fx.hand_over),
    (S.RETURNED, Step.REASSIGN): Transition(S.ASSIGNED, OPERATOR, effect=fx.hand_over),
    (S.ASSIGNED, Step.ACCEPT): Transition(S.ACCEPTED, g.by_holder),
    (S.REOPENED, Step.ACCEPT): Transition(S.ACCEPTED, g.by_holder),
    (S.ACCEPTED, Step.START): Transition(S.IN_PROGRESS, g.by_holder),
    **_rows(WORKING_ON, Step.RESOLVE, Transition(S.RESOLVED, g.by_holder, g.resolvable)),
    (S.RESOLVED, Step.PASS_VERIFICATION): Transition(S.VERIFIED, g.all_of(g.by_verifier, g.not_the_resolver)),
    (S.RESOLVED, Step.FAIL_VERIFICATION): Transition(
        S.ACCEPTED, g.all_of(g.by_verifier, g.not_the_resolver), g.with_reason, fx.rework
    ),
    (S.VERIFIED, Step.CLOSE): Transition(S.CLOSED, g.by_verifier, g.standards_met),
    (S.CLOSED, Step.CALLBACK): Transition(S.CLOSED, g.by_caller, effect=fx.callback),
    (S.CLOSED, Step.REOPEN): Transition(S.REOPENED, g.by_caller, g.with_reason, fx.callback),
    **_requests(),
    (S.DEFERRED, Step.RESUME): Transition(
        S.IN_PROGRESS, g.any_of(g.by_system, g.by_holder), effect=fx.resume
    ),
    **_rows(
        WORKING_STATES,
        Step.ESCALATE,
        Transition(
            S.ASSIGNED,
            g.any_of(g.by_holder, g.by_system),
            g.all_of(g.nothing_pending, g.below_top_tier, g.with_reason),
            fx.hand_over,
        ),
    ),
    **_rows(
        WORKING_STATES,
        Step.START_CONSULTATION,
        Transition(S.IN_CONSULTATION, g.by_convener, g.consultable, fx.start_consultation),
    ),
    (S.IN_CONSULTATION, Step.RECORD_OPINION): Transition(
        S.IN_CONSULTATION, g.by_invited_party, g.with_reason, fx.record_opinion
    ),
    (S.IN_CONSULTATION, Step.DECIDE_CONSULTATION): Transition(
        S.ASSIGNED, g.by_convener, g.decision_valid, fx.hand_over
    ),
    **{
        key: value
        for level in (Step.REMIND, Step.YELLOW_CARD, Step.RED_CARD)
        for key, value in _rows(
            SUPERVISED, level, _same(g.by_system, g.supervision_level, fx.supervise)
        ).items()
    },
}


# Steps only dispatch or handling's own timers take: never offered to a person.
SYSTEM_STEPS = frozenset({Step.OPEN, Step.ASSIGN, Step.REMIND, Step.YELLOW_CARD, Step.RED_CARD})


def allowed_steps(state: State, *, for_people: bool = False) -> tuple[Step, ...]:
    """The steps the table has for ``state`` (only those a person may take, when ``for_people``)."""
    return tuple(
        step
        for (from_state, step) in TRANSITIONS
        if from_state is state and not (for_people and step in SYSTEM_STEPS)
    )


def event_id_of(case_id: UUID, step: Step, seq: int) -> UUID:
    return derived_id(case_id, step.value, seq)


def open_case(opened: CaseOpened, *, event_id: UUID, actor: Actor, now: datetime) -> Case:
    """A new case in ``opened``, its timeline starting with the dispatch event that opened it."""
    entry = TimelineEntry(
        seq=1,
        event_id=event_id,
        action=Step.OPEN,
        actor_id=actor.id,
        actor_role=actor.role,
        from_state=None,
        to_state=State.OPENED,
        at=now,
    )
    return Case(
        id=opened.case_id,
        report_id=opened.report_id,
        category=opened.category,
        nature=opened.nature,
        priority=opened.priority,
        tier=opened.tier,
        grid_id=opened.grid_id,
        community_id=opened.community_id,
        street_id=opened.street_id,
        district_id=opened.district_id,
        department_id=opened.department_id,
        location=None if opened.location is None else Location(**opened.location.model_dump()),
        description=opened.description,
        state=State.OPENED,
        resolve_by=opened.resolve_by,
        close_by=opened.close_by,
        accept_by=opened.accept_by,
        yellow_at=opened.yellow_at,
        red_at=opened.red_at,
        opened_at=opened.occurred_at,
        updated_at=now,
        history=(entry,),
    )


def admitted(case: Case, command: Command, actor: Actor, context: g.Context) -> Transition:
    """The transition ``command`` takes ``case`` through, if the table and its guards admit ``actor``
    now; otherwise the ``LifecycleError`` saying why not."""
    transition = TRANSITIONS.get((case.state, command.step))
    if transition is None:
        raise IllegalTransition(case.state, command.step)
    refusal = transition.who(case, command, actor, context)
    if refusal is not None:
        raise NotPermitted(refusal)
    refusal = transition.when(case, command, actor, context)
    if refusal is not None:
        raise RuleBroken(refusal)
    return transition


def apply(
    case: Case, command: Command, actor: Actor, now: datetime, policy: HandlingPolicy = DEFAULT_POLICY
) -> tuple[Case, tuple[Raised, ...]]:
    """Take one step: the case as it is after it (history one entry longer) and the events raised."""
    step = command.step
    context = g.Context(policy=policy, now=now)
    transition = admitted(case, command, actor, context)

    seq = case.version + 1
    # Dispatch's events keep their own ids in the timeline; every other step gets a derived one.
    event_id = command.event_id if isinstance(command, Assign) else event_id_of(case.id, step, seq)
    changes, details = transition.effect(case, command, actor, context)
    entry = TimelineEntry(
        seq=seq,
        event_id=event_id,
        action=step,
        actor_id=actor.id,
        actor_role=actor.role,
        from_state=case.state,
        to_state=transition.to,
        note=command.note,
        evidence=command.evidence
        if isinstance(command, Resolve | Verify)
        else getattr(command, "evidence", ()),
        at=now,
        details=_jsonable(details),
    )
    update: dict[str, Any] = {
        **changes,
        "state": transition.to,
        "updated_at": now,
        "history": (*case.history, entry),
    }
    new_case = case.model_copy(update=update)
    return new_case, raised_by(case, new_case, command, actor, entry)


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in details.items() if value is not None}
