"""What a step changes on a case besides its state and history: holders, deadlines, counters, the
pending request. One function per kind of step; each returns the changed fields and what the
timeline entry should record in ``details``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.handling.domain.commands import (
    Assign,
    Callback,
    Command,
    DecideConsultation,
    Escalate,
    Reassign,
    RecordOpinion,
    Request,
    StartConsultation,
    Supervise,
)
from services.handling.domain.guards import Context
from services.handling.domain.model import Actor, Case, Consultation, PendingRequest, RequestKind, Step
from shared.worktime import Limit

Changes = tuple[dict[str, Any], dict[str, Any]]
Effect = Callable[[Case, Command, Actor, Context], Changes]


def nothing(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    return {}, {}


def assign(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    assert isinstance(command, Assign)
    return {
        "assignee_id": command.assignee_id,
        "assignee_role": command.assignee_role,
        "unit_id": command.unit_id,
        "verifier_id": command.verifier_id,
        "tier": command.tier,
        "grid_id": command.grid_id if command.grid_id is not None else case.grid_id,
        "resolve_by": command.resolve_by,
        "close_by": command.close_by,
        "accept_by": command.accept_by,
        "yellow_at": command.yellow_at,
        "red_at": command.red_at,
        "assigned_at": context.now,
    }, {}


def hand_over(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    """Reassign or escalate: a new holder (and verifier, if the new holder was the verifier)."""
    assert isinstance(command, Reassign | Escalate | DecideConsultation)
    holder = command.holder
    verifier = getattr(command, "verifier_id", None) or case.verifier_id
    changes: dict[str, Any] = {
        "assignee_id": holder.person_id,
        "assignee_role": holder.role,
        "unit_id": holder.unit_id,
        "tier": holder.tier,
        "assigned_at": context.now,
        "pending": None,
        "verifier_id": verifier,
    }
    details: dict[str, Any] = {
        "previous_holder_id": case.assignee_id,
        "holder_id": holder.person_id,
        "holder_role": holder.role,
        "unit_id": holder.unit_id,
        "from_tier": case.tier,
        "to_tier": holder.tier,
        "verifier_id": verifier,
    }
    if isinstance(command, Escalate):
        details["automatic"] = command.automatic
    if isinstance(command, DecideConsultation):
        assert case.consultation is not None
        decided = case.consultation.model_copy(
            update={
                "lead_unit": holder.unit_id,
                "supporting_units": command.supporting_units,
                "deadline": command.deadline,
            }
        )
        changes |= {"consultation": decided, **_deadlines_to(case, command.deadline)}
        details |= {
            "supporting_units": list(command.supporting_units),
            "deadline": command.deadline.isoformat(),
        }
    return changes, details


def _deadlines_to(case: Case, deadline: datetime) -> dict[str, Any]:
    """A consultation's deadline replaces the handling deadline (and the closing one if later)."""
    shift = deadline - case.resolve_by
    return {
        "resolve_by": deadline,
        "close_by": max(case.close_by, deadline),
        "yellow_at": case.yellow_at + shift if case.yellow_at else None,
        "red_at": deadline,
    }


def rework(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    resolution = case.last(Step.RESOLVE)
    return {"reworks": case.reworks + 1}, {"rework_of": str(resolution.event_id) if resolution else None}


def request(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    assert isinstance(command, Request)
    pending = PendingRequest(
        kind=command.kind,
        requested_by=actor.id,
        requested_role=actor.role,
        reason=command.note or "",
        at=context.now,
        length=command.length,
        until=command.until,
        evidence=command.evidence,
    )
    return {"pending": pending}, pending.model_dump(mode="json", exclude={"reason", "at"}, exclude_none=True)


def decide(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    """Clear the pending request, recording who asked; an approval's effect is added by its kind."""
    assert case.pending is not None
    pending = case.pending
    details: dict[str, Any] = {
        "kind": pending.kind.value,
        "approved": command.step.value.startswith("approve"),
        "requested_by": pending.requested_by,
        "requested_role": pending.requested_role,
        "requested_at": pending.at.isoformat(),
    }
    changes: dict[str, Any] = {"pending": None}
    if not details["approved"]:
        return changes, details
    if pending.kind is RequestKind.EXTENSION:
        assert pending.length is not None
        length = context.policy.clock.length(Limit.parse(pending.length))
        changes |= _moved(case, lambda at: context.policy.clock.add(at, length))
        changes["extensions"] = case.extensions + 1
        details |= {"length": pending.length, "extensions": case.extensions + 1}
    elif pending.kind is RequestKind.DEFERRAL:
        changes |= {"paused_at": context.now, "resume_at": pending.until}
        details["until"] = pending.until.isoformat() if pending.until else None
    elif pending.kind is RequestKind.APPEAL:
        changes["exempt_from_lateness"] = True
    return changes, details


def resume(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    """The paused time is added to every deadline: it never counts as late."""
    assert case.paused_at is not None
    clock = context.policy.clock
    paused = max(clock.between(case.paused_at, context.now), timedelta(0))
    changes = _moved(case, lambda at: clock.add(at, paused))
    changes |= {"paused_at": None, "resume_at": None}
    return changes, {"paused_seconds": int(paused.total_seconds())}


def _moved(case: Case, move: Callable[[datetime], datetime]) -> dict[str, Any]:
    return {
        "resolve_by": move(case.resolve_by),
        "close_by": move(case.close_by),
        "yellow_at": move(case.yellow_at) if case.yellow_at else None,
        "red_at": move(case.red_at) if case.red_at else None,
    }


def start_consultation(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    assert isinstance(command, StartConsultation)
    consultation = Consultation(convened_by=actor.id, invited_units=command.invited_units)
    return {"consultation": consultation}, {"invited_units": list(command.invited_units)}


def record_opinion(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    assert isinstance(command, RecordOpinion)
    assert case.consultation is not None
    opinions = {**case.consultation.opinions, command.unit_id: command.note or ""}
    return {"consultation": case.consultation.model_copy(update={"opinions": opinions})}, {
        "unit_id": command.unit_id
    }


def callback(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    assert isinstance(command, Callback)
    resolution = case.last(Step.RESOLVE)
    details = {
        "satisfaction": command.satisfaction,
        "satisfied": command.satisfied,
        "handler_caused": command.handler_caused,
        "against": resolution.actor_id if resolution else case.assignee_id,
    }
    if command.step is Step.REOPEN:
        return {"assigned_at": context.now}, details
    return {}, details


def supervise(case: Case, command: Command, actor: Actor, context: Context) -> Changes:
    assert isinstance(command, Supervise)
    return {}, {"due": command.due.isoformat() if command.due else None}
