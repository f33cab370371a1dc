"""The case lifecycle as data: a table of (state, step) -> (new state, guard), and one ``apply``.

```
opened --assign--> assigned --accept--> accepted --resolve--> resolved --pass_verification--> verified
                                        accepted <--fail_verification-- resolved    (rework)
verified --close--> closed
```

A step missing from the table is illegal in that state (``IllegalTransition``); a step in the table whose
guard refuses the actor is ``NotPermitted``. Every applied step appends one timeline entry, and every step
a person takes raises one event whose id is derived from (case id, step, sequence number), so applying
the same history again yields the same ids. Later steps (escalate, return, extend, callback) are new rows
and new guards, not new branches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.handling.domain.model import (
    SYSTEM_ROLE,
    Actor,
    Assign,
    Case,
    Command,
    Location,
    Resolve,
    State,
    Step,
    TimelineEntry,
)
from shared.events import derived_id
from shared.events.cases import (
    CaseAccepted,
    CaseActed,
    CaseClosed,
    CaseOpened,
    CaseResolved,
    CaseVerificationFailed,
    CaseVerified,
)


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


# A guard returns why the actor may not take the step, or None when they may.
Guard = Callable[[Case, Command, Actor], str | None]


def by_dispatch(case: Case, command: Command, actor: Actor) -> str | None:
    if actor.role != SYSTEM_ROLE:
        return "only dispatch assigns a case"
    assert isinstance(command, Assign)
    if command.verifier_id == command.assignee_id:
        return "the verifier of a case must not be its assignee"
    return None


def by_assignee(case: Case, command: Command, actor: Actor) -> str | None:
    if actor.id != case.assignee_id:
        return f"only the assignee of case {case.id} may {command.step.value} it"
    return None


def by_verifier(case: Case, command: Command, actor: Actor) -> str | None:
    if actor.id != case.verifier_id:
        return f"only the verifier of case {case.id} may {command.step.value} it"
    return None


def by_verifier_not_resolver(case: Case, command: Command, actor: Actor) -> str | None:
    refusal = by_verifier(case, command, actor)
    if refusal is not None:
        return refusal
    resolution = case.last(Step.RESOLVE)
    if resolution is not None and resolution.actor_id == actor.id:
        return "whoever resolved a case may not verify it"
    return None


@dataclass(frozen=True)
class Transition:
    to: State
    guard: Guard


TRANSITIONS: Mapping[tuple[State, Step], Transition] = {
    (State.OPENED, Step.ASSIGN): Transition(State.ASSIGNED, by_dispatch),
    (State.ASSIGNED, Step.ACCEPT): Transition(State.ACCEPTED, by_assignee),
    (State.ACCEPTED, Step.RESOLVE): Transition(State.RESOLVED, by_assignee),
    (State.RESOLVED, Step.PASS_VERIFICATION): Transition(State.VERIFIED, by_verifier_not_resolver),
    (State.RESOLVED, Step.FAIL_VERIFICATION): Transition(State.ACCEPTED, by_verifier_not_resolver),
    (State.VERIFIED, Step.CLOSE): Transition(State.CLOSED, by_verifier),
}

# The event each step a person takes raises; assign raises none (dispatch already published it).
EVENT_OF: Mapping[Step, type[CaseActed]] = {
    Step.ACCEPT: CaseAccepted,
    Step.RESOLVE: CaseResolved,
    Step.PASS_VERIFICATION: CaseVerified,
    Step.FAIL_VERIFICATION: CaseVerificationFailed,
    Step.CLOSE: CaseClosed,
}


@dataclass(frozen=True)
class Raised:
    """An event a step raised, with the id it must be published under."""

    event_id: UUID
    event: CaseActed


def allowed_steps(state: State) -> tuple[Step, ...]:
    return tuple(step for (from_state, step) in TRANSITIONS if from_state is state)


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
        location=Location(lon=opened.location.lon, lat=opened.location.lat),
        description=opened.description,
        state=State.OPENED,
        resolve_by=opened.resolve_by,
        close_by=opened.close_by,
        opened_at=opened.occurred_at,
        updated_at=now,
        history=(entry,),
    )


def apply(case: Case, command: Command, actor: Actor, now: datetime) -> tuple[Case, tuple[Raised, ...]]:
    """Take one step: the case as it is after it (history one entry longer) and the events raised."""
    step = command.step
    transition = TRANSITIONS.get((case.state, step))
    if transition is None:
        raise IllegalTransition(case.state, step)
    refusal = transition.guard(case, command, actor)
    if refusal is not None:
        raise NotPermitted(refusal)

    seq = case.version + 1
    # Dispatch's events keep their own ids in the timeline; a person's step gets a derived one.
    event_id = command.event_id if isinstance(command, Assign) else event_id_of(case.id, step, seq)
    entry = TimelineEntry(
        seq=seq,
        event_id=event_id,
        action=step,
        actor_id=actor.id,
        actor_role=actor.role,
        from_state=case.state,
        to_state=transition.to,
        note=command.note,
        evidence=command.evidence if isinstance(command, Resolve) else (),
        at=now,
    )
    changes: dict[str, Any] = {"state": transition.to, "updated_at": now, "history": (*case.history, entry)}
    if isinstance(command, Assign):
        changes |= {
            "assignee_id": command.assignee_id,
            "assignee_role": command.assignee_role,
            "unit_id": command.unit_id,
            "verifier_id": command.verifier_id,
            "tier": command.tier,
            "grid_id": command.grid_id if command.grid_id is not None else case.grid_id,
            "resolve_by": command.resolve_by,
            "close_by": command.close_by,
        }
    new_case = case.model_copy(update=changes)
    return new_case, _raised(case, new_case, command, actor, entry)


def _raised(
    before: Case, after: Case, command: Command, actor: Actor, entry: TimelineEntry
) -> tuple[Raised, ...]:
    model = EVENT_OF.get(entry.action) if isinstance(entry.action, Step) else None
    if model is None:
        return ()
    assert after.assignee_id is not None, "a person only acts on an assigned case"
    fields: dict[str, Any] = {
        "case_id": after.id,
        "occurred_at": entry.at,
        "actor_id": actor.id,
        "actor_role": actor.role,
        "holder_id": after.assignee_id,
        "close_by": after.close_by,
        "note": command.note,
    }
    if model is CaseResolved:
        fields["evidence"] = entry.evidence
    if model is CaseVerificationFailed:
        resolution = before.last(Step.RESOLVE)
        assert resolution is not None, "a resolved case has a resolution"
        fields["rework_of"] = str(resolution.event_id)
    return (Raised(event_id=entry.event_id, event=model(**fields)),)
