"""The operators' live stream: Server-Sent Events of every case event the caller may see, resumable
without gaps or duplicates (``GET /v1/stream/cases`` in ``api/stream.py`` only decodes and answers).

Each event's SSE ``id`` is its position in the case stream (migration 0002): positions are handed out
in commit order by the database, so they are the same on every handling instance and after restarts.
A client that reconnects with ``Last-Event-ID: N`` gets exactly the events after N that it may see.
Without one it starts at the newest event (``after=0`` replays from the beginning). A stream opens
with an ``id``-only message (no ``data``) carrying the position it starts after, so a client that loses
the connection before any event arrives still resumes from there; clients skip messages without data.

Readers wait on PostgreSQL notifications (``listening.py``), not on a timer; replay is read in batches
of at most ``stream_batch_size``; an idle stream sends a comment every ``stream_heartbeat_seconds`` so
proxies keep the connection (and looks at the stream again then, in case a notification was lost).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime

from fastapi.sse import format_sse_event

from services.handling.domain.access import Viewer
from services.handling.listening import Wakeup
from services.handling.metrics import HandlingMetrics
from services.handling.ports import Clock, StreamRows
from services.handling.queries import CaseFilter
from services.handling.schemas import StreamEvent

# How long a client waits before reconnecting after the connection drops (the SSE ``retry`` field).
RECONNECT_MILLISECONDS = 3000


class BadPosition(ValueError):
    """A position the stream cannot start from: not a number, or ahead of the newest event."""


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


def opening(position: int) -> bytes:
    """The position a stream starts after, as an ``id``-only message (no ``data``: not an event)."""
    return format_sse_event(id=str(position))


class CaseStream:
    """Opens one client's stream: checks where it starts, then sends what it may see as it commits."""

    def __init__(
        self,
        rows: StreamRows,
        wakeup: Wakeup,
        *,
        batch_size: int,
        heartbeat_seconds: float,
        clock: Clock,
        metrics: HandlingMetrics,
    ) -> None:
        self._rows = rows
        self._wakeup = wakeup
        self._batch_size = batch_size
        self._heartbeat_seconds = heartbeat_seconds
        self._clock = clock
        self._metrics = metrics

    async def open(
        self, *, viewer: Viewer, wanted: CaseFilter, start: int | None, expires_at: datetime | None
    ) -> AsyncGenerator[bytes, None]:
        """The stream's bytes, from ``start`` (None: the newest event on). Refuses a start ahead of the
        stream here, before the response begins, so that the refusal can still have a status."""
        head = await self._rows.head()
        if start is not None and start > head:
            raise BadPosition(
                f"position {start} is ahead of the stream (newest: {head}); reconnect without Last-Event-ID"
            )

        async def read(position: int, limit: int) -> tuple[list[StreamEvent], int]:
            rows, covered = await self._rows.after(
                viewer=viewer, wanted=wanted, position=position, limit=limit
            )
            return [StreamEvent.of(row) for row in rows], covered

        return self._send(read, after=head if start is None else start, expires_at=expires_at)

    async def _send(
        self, read: ReadAfter, *, after: int, expires_at: datetime | None
    ) -> AsyncGenerator[bytes, None]:
        self._metrics.stream_clients.inc()
        events = follow(
            read,
            self._wakeup,
            after=after,
            batch_size=self._batch_size,
            heartbeat_seconds=self._heartbeat_seconds,
        )
        try:
            yield format_sse_event(retry=RECONNECT_MILLISECONDS, comment="case stream")
            # An id with no data: a browser's EventSource takes it as its Last-Event-ID without
            # dispatching an event, so a connection lost before the first event resumes from here.
            yield opening(after)
            async for item in events:
                yield encode(item)
                if item is not None:
                    self._metrics.stream_events_sent.inc()
                if expires_at is not None and self._clock() >= expires_at:
                    # A stream never outlives its token: the client reconnects (with Last-Event-ID)
                    # under a fresh one, and is refused with 401 if it has none.
                    yield format_sse_event(comment="token expired")
                    return
        finally:
            # Starlette cancels this generator when the client disconnects.
            self._metrics.stream_clients.dec()
            with contextlib.suppress(Exception):
                await events.aclose()
