"""The steps people take on a case: accept, start, resolve, verify, close; requests and decisions,
resume, escalate, reassign, consultation and callback.

Each route decodes its body into a command, has one handler take it in one transaction, counts the
outcome and answers with the case. A reassignment or a consultation's decision names its new holder, so
the route looks that person up in the city's registry; an escalation's new holder depends on the case
itself, so its handler decides it on the case as locked.
"""

from __future__ import annotations

from collections.abc import Awaitable
from uuid import UUID

from fastapi import APIRouter

from services.handling import handlers
from services.handling.api.deps import CurrentViewer, Runtime, RuntimeDep
from services.handling.domain import (
    Accept,
    Callback,
    Case,
    Close,
    Command,
    Decide,
    DecideConsultation,
    Reassign,
    RecordOpinion,
    Request,
    RequestKind,
    Resolve,
    Resume,
    Start,
    StartConsultation,
    Step,
    Verify,
    routing,
)
from services.handling.schemas import (
    AcceptBody,
    CallbackBody,
    CaseView,
    CloseBody,
    ConsultationBody,
    DecisionBody,
    OpinionBody,
    ReasonBody,
    ReassignBody,
    RequestBody,
    ResolveBody,
    VerifyBody,
)

router = APIRouter(prefix="/v1", tags=["steps"])


async def take(runtime: Runtime, viewer: CurrentViewer, case_id: UUID, command: Command) -> CaseView:
    """Take one step for the viewer; the case as the step left it."""
    taking = handlers.take_step(
        runtime.transactions,
        case_id=case_id,
        command=command,
        viewer=viewer,
        now=runtime.clock(),
        policy=runtime.policy,
    )
    return await _counted(runtime, command.step, taking)


async def _counted(runtime: Runtime, step: Step, taking: Awaitable[Case]) -> CaseView:
    """The step's outcome counted (taken, or how it was refused), and the case as the step left it."""
    with runtime.metrics.counting_step(step):
        case = await taking
    return CaseView.of_case(case, runtime.clock())


@router.post("/cases/{case_id}/accept", response_model=CaseView)
async def accept(
    case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer, body: AcceptBody | None = None
) -> CaseView:
    """The assignee signs for the case."""
    return await take(runtime, viewer, case_id, Accept(note=body.note if body else None))


@router.post("/cases/{case_id}/resolve", response_model=CaseView)
async def resolve(case_id: UUID, body: ResolveBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """The assignee reports back: what was done, with links to photos or documents."""
    command = Resolve(note=body.note, evidence=tuple(str(url) for url in body.evidence))
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/verify", response_model=CaseView)
async def verify(case_id: UUID, body: VerifyBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """The verifier checks on site: passed, or back to the assignee for rework (note required)."""
    command = Verify(passed=body.passed, note=body.note, evidence=tuple(str(url) for url in body.evidence))
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/close", response_model=CaseView)
async def close(
    case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer, body: CloseBody | None = None
) -> CaseView:
    """The verifier closes a verified case."""
    command = Close(note=body.note if body else None, standards_met=tuple(body.standards_met) if body else ())
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/start", response_model=CaseView)
async def start(
    case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer, body: AcceptBody | None = None
) -> CaseView:
    """The holder starts work on a case they signed for (in progress)."""
    return await take(runtime, viewer, case_id, Start(note=body.note if body else None))


@router.post("/cases/{case_id}/requests/{kind}", response_model=CaseView)
async def request(
    case_id: UUID, kind: RequestKind, body: RequestBody, runtime: RuntimeDep, viewer: CurrentViewer
) -> CaseView:
    """The holder asks for a return, an extension (``length``), a deferral (``until``), a void, or a
    timeout appeal (``evidence``); the reason is ``note``. One request waits at a time."""
    command = Request(
        kind=kind,
        note=body.note,
        length=body.length,
        until=body.until,
        evidence=tuple(str(url) for url in body.evidence),
    )
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/requests/{kind}/approve", response_model=CaseView)
async def approve(
    case_id: UUID,
    kind: RequestKind,
    runtime: RuntimeDep,
    viewer: CurrentViewer,
    body: AcceptBody | None = None,
) -> CaseView:
    """An approver (city/handling.yaml) approves the waiting request; never the one who asked."""
    return await take(
        runtime, viewer, case_id, Decide(kind=kind, approved=True, note=body.note if body else None)
    )


@router.post("/cases/{case_id}/requests/{kind}/reject", response_model=CaseView)
async def reject(
    case_id: UUID, kind: RequestKind, body: ReasonBody, runtime: RuntimeDep, viewer: CurrentViewer
) -> CaseView:
    return await take(runtime, viewer, case_id, Decide(kind=kind, approved=False, note=body.note))


@router.post("/cases/{case_id}/resume", response_model=CaseView)
async def resume(
    case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer, body: AcceptBody | None = None
) -> CaseView:
    """The holder takes up a deferred case before its deferral expires (it resumes by itself then)."""
    return await take(runtime, viewer, case_id, Resume(note=body.note if body else None))


@router.post("/cases/{case_id}/escalate", response_model=CaseView)
async def escalate(case_id: UUID, body: ReasonBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """The holder sends the case up one tier, with a reason; it goes to that tier's holder of its place."""
    taking = handlers.escalate(
        runtime.transactions,
        case_id=case_id,
        note=body.note,
        viewer=viewer,
        now=runtime.clock(),
        policy=runtime.policy,
        city=runtime.city,
    )
    return await _counted(runtime, Step.ESCALATE, taking)


@router.post("/cases/{case_id}/reassign", response_model=CaseView)
async def reassign(case_id: UUID, body: ReassignBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """An operator dispatches a returned (or untriaged) case again, to a named person."""
    holder = routing.holder_named(runtime.city, body.assignee_id)
    command = Reassign(
        holder=holder,
        verifier_id=body.verifier_id,
        note=body.note,
        standards_met=tuple(body.standards_met),
    )
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/consultation", response_model=CaseView)
async def start_consultation(
    case_id: UUID, body: ConsultationBody, runtime: RuntimeDep, viewer: CurrentViewer
) -> CaseView:
    """Put a street or district case to a joint review of the invited units."""
    command = StartConsultation(invited_units=tuple(body.invited_units), note=body.note)
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/consultation/opinions", response_model=CaseView)
async def record_opinion(
    case_id: UUID, body: OpinionBody, runtime: RuntimeDep, viewer: CurrentViewer
) -> CaseView:
    """A party (someone serving an invited unit) gives its opinion."""
    return await take(runtime, viewer, case_id, RecordOpinion(unit_id=body.unit_id, note=body.note))


@router.post("/cases/{case_id}/consultation/decision", response_model=CaseView)
async def decide_consultation(
    case_id: UUID, body: DecisionBody, runtime: RuntimeDep, viewer: CurrentViewer
) -> CaseView:
    """The convener records the decision; the lead unit's person receives the case by the deadline."""
    holder = routing.holder_of_unit(runtime.city, body.lead_unit)
    command = DecideConsultation(
        holder=holder, supporting_units=tuple(body.supporting_units), deadline=body.deadline, note=body.note
    )
    return await take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/callback", response_model=CaseView)
async def callback(case_id: UUID, body: CallbackBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """The command centre calls the reporter back; dissatisfaction the handler caused reopens the case."""
    command = Callback(satisfaction=body.satisfaction, handler_caused=body.handler_caused, note=body.note)
    return await take(runtime, viewer, case_id, command)
