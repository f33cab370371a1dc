"""Handling's HTTP routes: thin — decode, call one handler, encode. Domain errors become HTTP errors
in ``install_domain_errors`` and nowhere else.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from services.handling import handlers, queries, repository, routing, steps_api
from services.handling.deps import CurrentViewer, Runtime, RuntimeDep
from services.handling.domain import (
    Accept,
    Case,
    Close,
    Command,
    IllegalTransition,
    NotPermitted,
    Resolve,
    RuleBroken,
    Verify,
    allowed_steps,
)
from services.handling.domain.access import can_see
from services.handling.views import (
    AcceptBody,
    BadCursor,
    CaseDetail,
    CasePage,
    CaseView,
    CloseBody,
    Light,
    ResolveBody,
    StatesQuery,
    TimelineEntryView,
    TimelineView,
    VerifyBody,
    decode_cursor,
    encode_cursor,
)
from shared.http import error_response

MAX_PAGE = 200

router = APIRouter(prefix="/v1", tags=["cases"])


async def _step(runtime: Runtime, viewer: CurrentViewer, case_id: UUID, command: Command) -> CaseView:
    return await steps_api.take(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/accept", response_model=CaseView)
async def accept(
    case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer, body: AcceptBody | None = None
) -> CaseView:
    """The assignee signs for the case."""
    return await _step(runtime, viewer, case_id, Accept(note=body.note if body else None))


@router.post("/cases/{case_id}/resolve", response_model=CaseView)
async def resolve(case_id: UUID, body: ResolveBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """The assignee reports back: what was done, with links to photos or documents."""
    command = Resolve(note=body.note, evidence=tuple(str(url) for url in body.evidence))
    return await _step(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/verify", response_model=CaseView)
async def verify(case_id: UUID, body: VerifyBody, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseView:
    """The verifier checks on site: passed, or back to the assignee for rework (note required)."""
    command = Verify(passed=body.passed, note=body.note, evidence=tuple(str(url) for url in body.evidence))
    return await _step(runtime, viewer, case_id, command)


@router.post("/cases/{case_id}/close", response_model=CaseView)
async def close(
    case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer, body: CloseBody | None = None
) -> CaseView:
    """The verifier closes a verified case."""
    command = Close(note=body.note if body else None, standards_met=tuple(body.standards_met) if body else ())
    return await _step(runtime, viewer, case_id, command)


@router.get("/cases", response_model=CasePage)
async def list_cases(
    runtime: RuntimeDep,
    viewer: CurrentViewer,
    state: StatesQuery = None,
    tier: str | None = None,
    grid_id: str | None = None,
    category: str | None = None,
    overdue: Annotated[bool | None, Query(description="past close-by (open), or closed after it")] = None,
    light: Annotated[Light | None, Query(description="the handling clock's traffic light")] = None,
    assignee_id: str | None = None,
    verifier_id: str | None = None,
    limit: Annotated[int, Query(ge=1, description=f"page size, at most {MAX_PAGE}")] = 50,
    cursor: str | None = None,
) -> CasePage:
    """Cases the caller may see, newest first; a limit above the cap is served as the cap."""
    page_size = min(limit, MAX_PAGE)
    now = runtime.clock()
    wanted = queries.CaseFilter(
        states=tuple(state or ()),
        tier=tier,
        grid_id=grid_id,
        category=category,
        assignee_id=assignee_id,
        verifier_id=verifier_id,
    )
    async with runtime.pool.acquire() as conn:
        rows = await queries.list_cases(
            conn,
            runtime.schema,
            viewer=viewer,
            wanted=wanted,
            now=now,
            overdue=overdue,
            light=light,
            limit=page_size + 1,
            after=decode_cursor(cursor) if cursor else None,
        )
    items = [CaseView.of(dict(row), now) for row in rows[:page_size]]
    more = len(rows) > page_size
    return CasePage(
        items=items, next_cursor=encode_cursor(items[-1].opened_at, items[-1].id) if more else None
    )


@router.get("/cases/{case_id}", response_model=CaseDetail)
async def get_case(case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer) -> CaseDetail:
    """The case with its timeline (oldest first)."""
    return CaseDetail.of_case(await _visible_case(runtime, viewer, case_id), runtime.clock())


@router.get("/cases/{case_id}/timeline", response_model=TimelineView)
async def get_timeline(case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer) -> TimelineView:
    """The case's flow record, oldest first: who did what, from which state to which, and why."""
    case = await _visible_case(runtime, viewer, case_id)
    return TimelineView(case_id=case_id, entries=TimelineEntryView.all_of(case))


async def _visible_case(runtime: Runtime, viewer: CurrentViewer, case_id: UUID) -> Case:
    async with runtime.pool.acquire() as conn:
        case = await repository.load_case(conn, runtime.schema, case_id)
    if case is None:
        raise handlers.CaseNotFound(case_id)
    if not can_see(viewer, case):
        raise handlers.CaseHidden(case_id)
    return case


def install_domain_errors(app: FastAPI) -> None:
    @app.exception_handler(handlers.CaseNotFound)
    async def not_found(_: Request, exc: handlers.CaseNotFound) -> JSONResponse:
        return error_response(404, "case_not_found", str(exc))

    @app.exception_handler(handlers.CaseHidden)
    async def hidden(_: Request, exc: handlers.CaseHidden) -> JSONResponse:
        return error_response(403, "forbidden", str(exc))

    @app.exception_handler(NotPermitted)
    async def not_permitted(_: Request, exc: NotPermitted) -> JSONResponse:
        return error_response(403, "forbidden", exc.reason)

    @app.exception_handler(RuleBroken)
    async def rule_broken(_: Request, exc: RuleBroken) -> JSONResponse:
        return error_response(409, "rule_broken", exc.reason)

    @app.exception_handler(IllegalTransition)
    async def illegal(_: Request, exc: IllegalTransition) -> JSONResponse:
        allowed = [step.value for step in allowed_steps(exc.state, for_people=True)]
        details = [{"state": exc.state.value, "action": exc.step.value, "allowed_actions": allowed}]
        return error_response(409, "illegal_transition", str(exc), details)

    @app.exception_handler(repository.ConcurrentUpdate)
    async def concurrent(_: Request, exc: repository.ConcurrentUpdate) -> JSONResponse:
        return error_response(409, "concurrent_update", f"{exc}; read the case again and retry")

    @app.exception_handler(routing.NoHolder)
    async def no_holder(_: Request, exc: routing.NoHolder) -> JSONResponse:
        return error_response(409, "no_holder", str(exc))

    @app.exception_handler(BadCursor)
    async def bad_cursor(_: Request, exc: BadCursor) -> JSONResponse:
        return error_response(422, "invalid_cursor", str(exc))
