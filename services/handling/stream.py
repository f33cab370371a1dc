"""The operators' live stream: ``GET /v1/stream/cases``, Server-Sent Events of every case event the
caller may see, resumable without gaps or duplicates.

Each event's SSE ``id`` is its position in the case stream (migration 0002): positions are handed out
in commit order by the database, so they are the same on every handling instance and after restarts.
A client that reconnects with ``Last-Event-ID: N`` gets exactly the events after N that it may see.
Without one it starts at the newest event (``after=0`` replays from the beginning).

Readers wait on PostgreSQL notifications (``listening.py``), not on a timer; replay is read in batches
of at most ``stream_batch_size``; an idle stream sends a comment every ``stream_heartbeat_seconds`` so
proxies keep the connection (and looks at the stream again then, in case a notification was lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import APIRouter, Header, Query, Request
from fastapi.sse import EventSourceResponse, format_sse_event
from prometheus_client import Counter, Gauge
from pydantic import AwareDatetime, BaseModel

from services.handling import queries
from services.handling.deps import CurrentViewer, RuntimeDep
from services.handling.domain import State
from services.handling.listening import StreamListener, Wakeup
from services.handling.views import StatesQuery, TimelineEntryView
from shared.http import ApiError
from shared.observability import ServiceMetrics

router = APIRouter(prefix="/v1", tags=["stream"])

# How long a client waits before reconnecting after the connection drops (the SSE ``retry`` field).
RECONNECT_MILLISECONDS = 3000


class StreamedCase(BaseModel):
    """The case as the event's commit left it."""

    state: State
    category: str
    priority: str
    tier: str
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    district_id: str | None
    department_id: str | None
    unit_id: str | None
    assignee_id: str | None
    verifier_id: str | None
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    # The acceptance deadline and the traffic light's moments (null in events streamed before they existed).
    accept_by: AwareDatetime | None = None
    yellow_at: AwareDatetime | None = None
    red_at: AwareDatetime | None = None


class StreamEvent(TimelineEntryView):
    """One timeline entry of one case, as the stream sends it (``data:`` of an SSE event)."""

    position: int
    case_id: UUID
    committed_at: AwareDatetime
    case: StreamedCase

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StreamEvent:
        """From a row of ``case_stream``."""
        fields = dict(row)
        if isinstance(fields.get("details"), str):  # asyncpg gives jsonb as text
            fields["details"] = json.loads(fields["details"])
        return cls.model_validate({**fields, "case": fields})


class StreamMetrics:
    def __init__(self, metrics: ServiceMetrics) -> None:
        self.clients: Gauge = metrics.gauge("stream_clients", "Clients connected to the case stream.")
        self.events_sent: Counter = metrics.counter(
            "stream_events_sent_total", "Case events sent to case-stream clients."
        )


class BadPosition(ValueError):
    pass


def parse_position(value: str) -> int:
    """A stream position as a client sends it back (``Last-Event-ID`` or ``after``)."""
    if not value.strip().isascii() or not value.strip().isdigit():
        raise BadPosition(f"{value!r} is not a stream position (a non-negative integer)")
    return int(value.strip())


def starting_position(last_event_id: str | None, after: str | None) -> int | None:
    """Where a connection resumes: ``Last-Event-ID`` wins, because a browser's ``EventSource``
    reconnects to the same URL (with the same ``after``) and sends the id it saw last."""
    for given in (last_event_id, after):
        if given is not None and given.strip():
            return parse_position(given)
    return None


def token_expiry(request: Request) -> datetime | None:
    """When the request's bearer token expires. ``current_viewer`` has verified the token for this
    request already, so its claims are read here without checking the signature a second time."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        return None


# (after, limit) → (events, the position the read covered); see ``queries.stream_after``.
ReadAfter = Callable[[int, int], Awaitable[tuple[list[StreamEvent], int]]]


async def follow(
    read: ReadAfter, wakeup: Wakeup, *, after: int, batch_size: int, heartbeat_seconds: float
) -> AsyncGenerator[StreamEvent | None, None]:
    """Events after ``after`` as they commit, forever; ``None`` when a heartbeat is due.

    A full batch is followed by the next one at once (replay); a short one means the reader is
    live, so it waits for the next commit's notification, or the heartbeat, whichever comes first.
    """
    while True:
        woken = wakeup.waiter()
        events, after = await read(after, batch_size)
        for event in events:
            yield event
        if len(events) == batch_size:
            continue
        try:
            await asyncio.wait_for(woken.wait(), heartbeat_seconds)
        except TimeoutError:
            yield None


def encode(item: StreamEvent | None) -> bytes:
    if item is None:
        return format_sse_event(comment="heartbeat")
    return format_sse_event(data_str=item.model_dump_json(), id=str(item.position))


@router.get(
    "/stream/cases",
    # Not ``response_class=EventSourceResponse``: that makes FastAPI run the route as a generator, after
    # the response has started, where a bad token or position could no longer be refused with a status.
    responses={200: {"content": {"text/event-stream": {}}, "description": "case events as SSE"}},
)
async def stream_cases(
    request: Request,
    runtime: RuntimeDep,
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
    listener: StreamListener = request.app.state.stream_listener
    stream_metrics: StreamMetrics = request.app.state.stream_metrics
    settings = runtime.settings
    wanted = queries.CaseFilter(
        states=tuple(state or ()), tier=tier, grid_id=grid_id, category=category, case_id=case_id
    )
    try:
        start = starting_position(last_event_id, after)
    except BadPosition as exc:
        raise ApiError(422, "invalid_stream_position", str(exc)) from exc
    async with runtime.pool.acquire() as conn:
        head = await queries.stream_head(conn, runtime.schema)
    if start is not None and start > head:
        raise ApiError(
            422,
            "invalid_stream_position",
            f"position {start} is ahead of the stream (newest: {head}); reconnect without Last-Event-ID",
        )

    expires_at = token_expiry(request)

    async def read(position: int, limit: int) -> tuple[list[StreamEvent], int]:
        async with runtime.pool.acquire() as conn:
            rows, covered = await queries.stream_after(
                conn, runtime.schema, viewer=viewer, wanted=wanted, after=position, limit=limit
            )
        return [StreamEvent.of(row) for row in rows], covered

    async def body() -> AsyncIterator[bytes]:
        stream_metrics.clients.inc()
        events = follow(
            read,
            listener.wakeup,
            after=head if start is None else start,
            batch_size=settings.stream_batch_size,
            heartbeat_seconds=settings.stream_heartbeat_seconds,
        )
        try:
            yield format_sse_event(retry=RECONNECT_MILLISECONDS, comment="case stream")
            async for item in events:
                yield encode(item)
                if item is not None:
                    stream_metrics.events_sent.inc()
                if expires_at is not None and runtime.clock() >= expires_at:
                    # A stream never outlives its token: the client reconnects (with Last-Event-ID)
                    # under a fresh one, and is refused with 401 if it has none.
                    yield format_sse_event(comment="token expired")
                    return
        finally:
            # Starlette cancels this generator when the client disconnects.
            stream_metrics.clients.dec()
            with contextlib.suppress(Exception):
                await events.aclose()

    return EventSourceResponse(body(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
