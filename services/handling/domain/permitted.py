"""What a person may do to a case now (``allowed_actions``): the console offers exactly these steps.

For each step the lifecycle table has for the case's state (those a person may take), the step is
allowed when the table's guards admit the person now, judged by the same ``lifecycle.admitted`` that
taking the step runs. What only the request's body decides (a note, evidence, a length, the standards
ticked, the next holder) counts as given: the step is offered with a body that meets every such rule,
and the body actually sent is checked when the step is taken.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.handling.domain import commands as c
from services.handling.domain import guards as g
from services.handling.domain.lifecycle import LifecycleError, admitted, allowed_steps
from services.handling.domain.model import Actor, Case, RequestKind, Step
from services.handling.domain.policy import DEFAULT_POLICY, HandlingPolicy

# What stands in for the body's content when judging whether a step is allowed.
NOTE = "given"
EVIDENCE = ("https://evidence.invalid/given",)


def allowed_actions(
    case: Case, actor: Actor, now: datetime, policy: HandlingPolicy = DEFAULT_POLICY
) -> tuple[Step, ...]:
    """The steps ``actor`` may take on ``case`` now, in the lifecycle table's order."""
    context = g.Context(policy=policy, now=now)
    return tuple(
        step
        for step in allowed_steps(case.state, for_people=True)
        if _admits(case, full_body(case, step, actor, context), actor, context)
    )


def _admits(case: Case, command: c.Command, actor: Actor, context: g.Context) -> bool:
    try:
        admitted(case, command, actor, context)
    except LifecycleError:
        return False
    return True


def full_body(case: Case, step: Step, actor: Actor, context: g.Context) -> c.Command:
    """A command for ``step`` whose body meets every rule a body can meet on ``case``."""
    policy, now = context.policy, context.now
    invited = case.consultation.invited_units if case.consultation else ()
    kind = step.value.partition("_")[2]
    if step.value.startswith("request_"):
        return c.Request(
            kind=RequestKind(kind),
            note=NOTE,
            length=str(policy.extension_max_length),
            until=policy.clock.deadline(now, policy.deferral_max_length),
            evidence=EVIDENCE,
        )
    if step.value.startswith(("approve_", "reject_")):
        return c.Decide(kind=RequestKind(kind), approved=step.value.startswith("approve_"), note=NOTE)
    match step:
        case Step.REASSIGN:
            return c.Reassign(
                holder=_holder(case.tier),
                note=NOTE,
                standards_met=policy.filing_standards.get(case.category, ()),
            )
        case Step.ACCEPT:
            return c.Accept(note=NOTE)
        case Step.START:
            return c.Start(note=NOTE)
        case Step.RESOLVE:
            return c.Resolve(note=NOTE, evidence=EVIDENCE)
        case Step.PASS_VERIFICATION | Step.FAIL_VERIFICATION:
            return c.Verify(passed=step is Step.PASS_VERIFICATION, note=NOTE, evidence=EVIDENCE)
        case Step.CLOSE:
            return c.Close(note=NOTE, standards_met=policy.closing_standards.get(case.category, ()))
        case Step.CALLBACK:
            return c.Callback(satisfaction=5, note=NOTE)
        case Step.REOPEN:
            return c.Callback(satisfaction=1, handler_caused=True, note=NOTE)
        case Step.RESUME:
            return c.Resume(note=NOTE)
        case Step.ESCALATE:
            return c.Escalate(holder=_holder(policy.tier_above(case.tier) or case.tier), note=NOTE)
        case Step.START_CONSULTATION:
            return c.StartConsultation(invited_units=(case.unit_id or "unit",), note=NOTE)
        case Step.RECORD_OPINION:
            unit = actor.unit_id if actor.unit_id in invited else next(iter(invited), "")
            return c.RecordOpinion(unit_id=unit or "", note=NOTE)
        case Step.DECIDE_CONSULTATION:
            lead = case.unit_id or next(iter(invited), "")
            return c.DecideConsultation(
                holder=_holder(case.tier, unit_id=lead), deadline=now + timedelta(days=1), note=NOTE
            )
    raise ValueError(f"{step.value} is not a step a person takes")


def _holder(tier: str, *, unit_id: str = "") -> c.Holder:
    """The next holder: the route finds them in the city's registry, so any will do here."""
    return c.Holder(person_id="", role="", unit_id=unit_id, tier=tier)
