"""Which timers a case has, as it is now: pure, recomputed after every step.

- ``remind`` — ``remind_before`` (city/handling.yaml) ahead of the handling deadline;
- ``yellow_card`` / ``red_card`` — when the case's traffic light turns (dispatch's ``yellow_at`` and
  ``red_at``, moved with extensions and pauses; red falls back to ``resolve_by``);
- ``escalate`` — ``escalation.after`` past red, up one tier, while the policy's top is not reached;
- ``resume`` — when an approved deferral expires.

A timer is identified by (case, kind, due moment): one that fired stays fired, so an escalation that keeps
the deadline does not escalate again, and an extension that moves the deadline arms fresh timers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.handling.domain.commands import Command, Resume, Supervise
from services.handling.domain.model import WORKING_STATES, Case, State, Step
from services.handling.domain.policy import HandlingPolicy


@dataclass(frozen=True)
class Timer:
    kind: str
    due_at: datetime


def timers_for(case: Case, policy: HandlingPolicy) -> tuple[Timer, ...]:
    if case.state is State.DEFERRED:
        return (Timer("resume", case.resume_at),) if case.resume_at else ()
    if case.state not in (*WORKING_STATES, State.IN_CONSULTATION) or case.assignee_id is None:
        return ()
    red = case.red_at or case.resolve_by
    timers = [
        Timer("remind", case.resolve_by - policy.clock.length(policy.remind_before)),
        Timer("red_card", red),
    ]
    if case.yellow_at is not None:
        timers.append(Timer("yellow_card", case.yellow_at))
    escalation = policy.escalation
    if escalation.automatic and case.state in WORKING_STATES and policy.tier_above(case.tier) is not None:
        timers.append(Timer("escalate", red + escalation.after))
    return tuple(sorted(timers, key=lambda t: (t.due_at, t.kind)))


def supervision_command(timer: Timer) -> Command:
    """The command a supervision or resume timer gives (escalation needs the next holder: the edge's)."""
    if timer.kind == "resume":
        return Resume(note="the deferral expired")
    return Supervise(level=Step(timer.kind), due=timer.due_at)
