"""Helpers for the case-stream tests: the handling app served over real HTTP (an SSE stream needs a
real connection: httpx's ASGI transport buffers whole responses), a client that reads events, and
waiting for what it received."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from httpx_sse import aconnect_sse

from tests.integration.handling.conftest import Handling, handling_settings, running_handling

# A small replay batch, so that a test can make a replay longer than several of them.
BATCH = 5


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """Serve an app whose lifespan already runs on an ephemeral port; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_config=None)
    config.timeout_graceful_shutdown = 1
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def live_handling(database_url: str, kafka_bootstrap: str) -> AsyncIterator[tuple[Handling, str]]:
    """A handling app with a small replay batch and a quick heartbeat, served on a real port."""
    settings = handling_settings(database_url, kafka_bootstrap, uuid.uuid4().hex[:10]).model_copy(
        update={"stream_batch_size": BATCH, "stream_heartbeat_seconds": 0.5}
    )
    async with running_handling(settings) as handling, served(handling.app) as base_url:
        yield handling, base_url


async def until(check: Callable[[], bool], what: str, within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


async def step(
    handling: Handling, case_id: uuid.UUID, action: str, person: Any, body: dict[str, object] | None = None
) -> None:
    response = await handling.http.post(
        f"/v1/cases/{case_id}/{action}", json=body or {}, headers=person.headers()
    )
    assert response.status_code == 200, response.text


@dataclass
class Received:
    """What one connection got: the events (their ``data`` parsed) in order."""

    events: list[dict[str, Any]] = field(default_factory=list)
    # The id of the last message, with data or not: what a browser sends back as Last-Event-ID.
    last_event_id: str | None = None

    @property
    def ids(self) -> list[int]:
        return [event["position"] for event in self.events]

    def of_case(self, case_id: object) -> list[str]:
        return [event["action"] for event in self.events if event["case_id"] == str(case_id)]


@asynccontextmanager
async def listening(
    base_url: str, headers: dict[str, str], *, last_event_id: int | None = None, **params: Any
) -> AsyncIterator[tuple[Received, asyncio.Task[None]]]:
    """Connect to the stream and collect events in the background until the block ends (disconnect)."""
    received = Received()
    connected = asyncio.Event()
    sent_headers = dict(headers)
    if last_event_id is not None:
        sent_headers["Last-Event-ID"] = str(last_event_id)

    async def read() -> None:
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(10, read=None)) as client,
            aconnect_sse(client, "GET", "/v1/stream/cases", headers=sent_headers, params=params) as source,
        ):
            source.response.raise_for_status()
            connected.set()
            async for sse in source.aiter_sse():
                if sse.id:
                    received.last_event_id = sse.id
                if not sse.data:
                    continue  # the opening ``retry`` and ``id``: browsers dispatch no event for them either
                event = json.loads(sse.data)
                assert sse.id == str(event["position"])
                received.events.append(event)

    task = asyncio.create_task(read())
    done, _ = await asyncio.wait(
        {task, asyncio.create_task(connected.wait())}, timeout=10, return_when="FIRST_COMPLETED"
    )
    if task in done:
        task.result()  # raises what went wrong
    try:
        yield received, task
    finally:
        task.cancel()
        # A server that stops mid-stream ends the response unfinished; the tests check what arrived.
        with contextlib.suppress(asyncio.CancelledError, httpx.TransportError):
            await task
