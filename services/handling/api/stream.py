"""``GET /v1/stream/cases``: the operators' live stream (``services/handling/stream.py`` serves it)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.sse import EventSourceResponse

from services.handling import queries
from services.handling.api.deps import CurrentCaller, CurrentViewer, RuntimeDep
from services.handling.schemas import StatesQuery
from services.handling.stream import starting_position

router = APIRouter(prefix="/v1", tags=["stream"])


@router.get(
    "/stream/cases",
    # Not ``response_class=EventSourceResponse``: that makes FastAPI run the route as a generator, after
    # the response has started, where a bad token or position could no longer be refused with a status.
    responses={200: {"content": {"text/event-stream": {}}, "description": "case events as SSE"}},
)
async def stream_cases(
    runtime: RuntimeDep,
    caller: CurrentCaller,
    viewer: CurrentViewer,
    last_event_id: Annotated[str | None, Header(description="the id of the last event received")] = None,
    after: Annotated[str | None, Query(description="start after this position; 0: from the start")] = None,
    state: StatesQuery = None,
    tier: str | None = None,
    grid_id: str | None = None,
    category: str | None = None,
    case_id: UUID | None = None,
) -> EventSourceResponse:
    """Case events the caller may see, as they commit; resumable with ``Last-Event-ID``."""
    wanted = queries.CaseFilter(
        states=tuple(state or ()), tier=tier, grid_id=grid_id, category=category, case_id=case_id
    )
    body = await runtime.stream.open(
        viewer=viewer,
        wanted=wanted,
        start=starting_position(last_event_id, after),
        expires_at=caller.expires_at,
    )
    return EventSourceResponse(body, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
