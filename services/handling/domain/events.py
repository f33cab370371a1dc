"""The event each step raises, built from the case after the step and its timeline entry.

Every event names the holder after the step, the deadlines, the tier and the states it moved between,
so that scoring can attribute outcomes without keeping its own copy of the case. Assign raises none:
dispatch already published it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.handling.domain.commands import Command
from services.handling.domain.model import Actor, Case, Step, TimelineEntry
from shared.events.cases import (
    CaseAccepted,
    CaseActed,
    CaseCallbackRecorded,
    CaseClosed,
    CaseConsultationDecided,
    CaseConsultationStarted,
    CaseEscalated,
    CaseOpinionRecorded,
    CaseReassigned,
    CaseRequestDecided,
    CaseRequestMade,
    CaseResolved,
    CaseResumed,
    CaseStarted,
    CaseSupervised,
    CaseVerificationFailed,
    CaseVerified,
)

# The CloudEvents source of every event handling raises.
SOURCE = "/gridloop/handling"


@dataclass(frozen=True)
class Raised:
    """An event a step raised, with the id it must be published under."""

    event_id: UUID
    event: CaseActed


def _request_event(step: Step) -> type[CaseActed] | None:
    by_prefix: dict[str, type[CaseActed]] = {
        "request": CaseRequestMade,
        "approve": CaseRequestDecided,
        "reject": CaseRequestDecided,
    }
    return by_prefix.get(step.value.split("_", 1)[0])


EVENT_OF: Mapping[Step, type[CaseActed]] = {
    Step.ACCEPT: CaseAccepted,
    Step.START: CaseStarted,
    Step.RESOLVE: CaseResolved,
    Step.PASS_VERIFICATION: CaseVerified,
    Step.FAIL_VERIFICATION: CaseVerificationFailed,
    Step.CLOSE: CaseClosed,
    Step.CALLBACK: CaseCallbackRecorded,
    Step.REOPEN: CaseCallbackRecorded,
    Step.RESUME: CaseResumed,
    Step.REASSIGN: CaseReassigned,
    Step.ESCALATE: CaseEscalated,
    Step.START_CONSULTATION: CaseConsultationStarted,
    Step.RECORD_OPINION: CaseOpinionRecorded,
    Step.DECIDE_CONSULTATION: CaseConsultationDecided,
    Step.REMIND: CaseSupervised,
    Step.YELLOW_CARD: CaseSupervised,
    Step.RED_CARD: CaseSupervised,
    **{step: model for step in Step if (model := _request_event(step)) is not None and "_" in step.value},
}


def raised_by(
    before: Case, after: Case, command: Command, actor: Actor, entry: TimelineEntry
) -> tuple[Raised, ...]:
    model = EVENT_OF.get(entry.action) if isinstance(entry.action, Step) else None
    if model is None or after.assignee_id is None:
        return ()
    fields: dict[str, Any] = {
        "case_id": after.id,
        "occurred_at": entry.at,
        "actor_id": actor.id,
        "actor_role": actor.role,
        "holder_id": after.assignee_id,
        "close_by": after.close_by,
        "resolve_by": after.resolve_by,
        "tier": after.tier,
        "note": command.note,
        "from_state": entry.from_state.value if entry.from_state else None,
        "to_state": entry.to_state.value,
        "evidence": entry.evidence,
        **entry.details,
    }
    if model is CaseSupervised:
        fields["level"] = entry.action.value
    if model is CaseCallbackRecorded:
        fields["reopened"] = entry.action is Step.REOPEN
    if model is CaseRequestDecided:
        fields["extensions"] = after.extensions
        fields["exempt_from_lateness"] = after.exempt_from_lateness
    if model is CaseVerificationFailed and "rework_of" not in fields:
        resolution = before.last(Step.RESOLVE)
        assert resolution is not None, "a resolved case has a resolution"
        fields["rework_of"] = str(resolution.event_id)
    if model is CaseConsultationDecided:
        fields["deadline"] = after.resolve_by
    known = model.model_fields
    return (Raised(event_id=entry.event_id, event=model(**{k: v for k, v in fields.items() if k in known})),)
