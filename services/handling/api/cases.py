"""Reading cases: the list the caller may see, one case with its timeline, and the timeline alone."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.handling import handlers, queries
from services.handling.api.deps import CurrentViewer, RuntimeDep
from services.handling.domain.deadlines import Light
from services.handling.domain.permitted import allowed_actions
from services.handling.schemas import (
    CaseDetail,
    CasePage,
    CaseView,
    StatesQuery,
    TimelineEntryView,
    TimelineView,
    decode_cursor,
    encode_cursor,
)

MAX_PAGE = 200

router = APIRouter(prefix="/v1", tags=["cases"])


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
    """The case with its timeline (oldest first) and the steps the caller may take on it now."""
    case = await handlers.visible_case(runtime.transactions, case_id=case_id, viewer=viewer)
    now = runtime.clock()
    return CaseDetail.for_caller(case, now, allowed_actions(case, viewer.actor, now, runtime.policy))


@router.get("/cases/{case_id}/timeline", response_model=TimelineView)
async def get_timeline(case_id: UUID, runtime: RuntimeDep, viewer: CurrentViewer) -> TimelineView:
    """The case's flow record, oldest first: who did what, from which state to which, and why."""
    case = await handlers.visible_case(runtime.transactions, case_id=case_id, viewer=viewer)
    return TimelineView(case_id=case_id, entries=TimelineEntryView.all_of(case))
