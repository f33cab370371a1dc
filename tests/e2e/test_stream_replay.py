"""The operators' live stream on the stack as `make up` runs it, after the other end-to-end tests (the
reliability test SIGKILLs handling mid-stream): replayed from the start, it holds every timeline entry
of every case exactly once, at consecutive positions."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from httpx_sse import aconnect_sse

from shared.city import City
from tools.client import LoopClient
from tools.token import mint_token


async def every_timeline_entry(loop: LoopClient, headers: dict[str, str]) -> set[str]:
    base = loop.endpoints.handling
    case_ids: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (await loop.http.get(f"{base}/v1/cases", params=params, headers=headers)).json()
        case_ids += [item["id"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    event_ids: set[str] = set()
    for case_id in case_ids:
        timeline = (await loop.http.get(f"{base}/v1/cases/{case_id}/timeline", headers=headers)).json()
        event_ids |= {entry["event_id"] for entry in timeline["entries"]}
    return event_ids


async def test_the_stream_replays_every_timeline_entry_once_at_consecutive_positions(
    loop: LoopClient, city: City
) -> None:
    supervisor = mint_token(city.person("sv-yancheng"))  # sees every case
    headers = {"Authorization": f"Bearer {supervisor}"}
    expected = await every_timeline_entry(loop, headers)
    assert expected, "the end-to-end tests before this one made cases"

    received: list[dict[str, Any]] = []

    async def replay() -> None:
        async with (
            httpx.AsyncClient(base_url=loop.endpoints.handling, timeout=httpx.Timeout(10, read=None)) as http,
            aconnect_sse(http, "GET", "/v1/stream/cases", headers=headers, params={"after": 0}) as source,
        ):
            assert source.response.status_code == 200
            async for sse in source.aiter_sse():
                if sse.data:
                    received.append(json.loads(sse.data))
                    if expected <= {event["event_id"] for event in received}:
                        return

    # Entries may still be added meanwhile (timers); the replay ends once it holds all listed above.
    await asyncio.wait_for(replay(), timeout=60)
    positions = [event["position"] for event in received]
    assert positions == list(range(1, len(received) + 1)), "a gap or a repeat in the stream"
    event_ids = [event["event_id"] for event in received]
    assert len(event_ids) == len(set(event_ids)), "an entry streamed twice"
