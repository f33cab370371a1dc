"""The operators' live stream over real HTTP, PostgreSQL and Kafka, as a client sees it: resuming with
Last-Event-ID gets exactly the missed events (also from the id a stream opens with), jurisdiction and
filters apply, heartbeats flow, disconnected clients are let go, an expired token ends the stream, a bad
start is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from tests.builders.tokens import mint
from tests.integration.handling.conftest import Crew, Handling, new_crew
from tests.integration.handling.stream_client import listening, live_handling, step, until


@pytest.fixture(scope="module")
async def live(database_url: str, kafka_bootstrap: str) -> AsyncIterator[tuple[Handling, str]]:
    async with live_handling(database_url, kafka_bootstrap) as running:
        yield running


async def test_a_client_that_reconnects_with_last_event_id_receives_exactly_the_missed_events(
    live, dispatch, crew: Crew
):
    handling, base_url = live
    operator = crew.operator.headers()
    async with listening(base_url, operator) as (first, _):
        case_id = await dispatch.open_and_assign(crew, handling)
        await until(lambda: len(first.events) == 2, "the opening and the assignment")
    assert first.of_case(case_id) == ["open", "assign"]
    last_seen = first.ids[-1]

    # While the operator is away: the case moves on, and more than a replay batch of cases open.
    await step(handling, case_id, "accept", crew.assignee)
    await step(handling, case_id, "resolve", crew.assignee, {"note": "cleared"})
    others = [await dispatch.open_and_assign(crew, handling) for _ in range(3)]

    async with listening(base_url, operator, last_event_id=last_seen) as (resumed, _):
        await until(lambda: len(resumed.events) == 2 + 2 * len(others), "the missed events")
        await step(handling, case_id, "verify", crew.verifier, {"passed": True})
        await until(lambda: len(resumed.events) == 3 + 2 * len(others), "the live event after the replay")
        await asyncio.sleep(0.5)  # nothing else may follow
    assert resumed.ids == list(range(last_seen + 1, last_seen + 1 + len(resumed.events))), "gap or repeat"
    assert resumed.of_case(case_id) == ["accept", "resolve", "pass_verification"]
    for other in others:
        assert resumed.of_case(other) == ["open", "assign"]
    accepted = next(e for e in resumed.events if e["action"] == "accept")
    assert accepted["actor_id"] == crew.assignee.person_id
    assert (accepted["from_state"], accepted["to_state"]) == ("assigned", "accepted")
    assert accepted["case"]["assignee_id"] == crew.assignee.person_id
    assert accepted["case"]["district_id"] == crew.district_id


async def test_a_client_that_drops_before_any_event_resumes_from_the_position_the_stream_opened_at(
    live, dispatch, crew: Crew
):
    handling, base_url = live
    operator = crew.operator.headers()
    async with listening(base_url, operator) as (first, _):
        await until(lambda: first.last_event_id is not None, "the opening id")
    assert first.events == []
    opened_at = first.last_event_id
    assert opened_at is not None

    case_id = await dispatch.open_and_assign(crew, handling)  # committed while disconnected

    async with listening(base_url, operator, last_event_id=int(opened_at)) as (resumed, _):
        await until(lambda: len(resumed.of_case(case_id)) == 2, "the events missed before any arrived")
        await asyncio.sleep(0.5)  # nothing else may follow
    assert resumed.of_case(case_id) == ["open", "assign"]
    assert resumed.ids == sorted(set(resumed.ids)), "an event repeated"
    assert min(resumed.ids) > int(opened_at)


async def test_the_stream_carries_only_what_the_caller_may_see_and_what_the_filters_ask(
    live, dispatch, crew: Crew
):
    handling, base_url = live
    other_crew = elsewhere_than(crew)
    async with (
        listening(base_url, crew.operator.headers(), after=0) as (district, _),
        listening(base_url, other_crew.operator.headers(), after=0) as (elsewhere, _),
        listening(base_url, crew.stranger.headers(), after=0) as (stranger, _),
        listening(base_url, crew.verifier.headers(), after=0, grid_id=crew.assignee.unit_id) as (chief, _),
        listening(base_url, crew.operator.headers(), state=["accepted", "resolved"]) as (moving, _),
    ):
        ours = await dispatch.open_and_assign(crew, handling)
        theirs = await dispatch.open_and_assign(other_crew, handling)
        await step(handling, ours, "accept", crew.assignee)
        async with listening(base_url, crew.operator.headers(), after=0, case_id=str(theirs)) as (one, _):
            await until(lambda: len(district.of_case(ours)) == 3, "the operator's own case")
            await until(lambda: len(elsewhere.of_case(theirs)) == 2, "the other district's case")
            await until(lambda: len(chief.of_case(ours)) == 3, "the grid chief's case")
            await asyncio.sleep(1)  # heartbeats pass; nothing more arrives
    assert district.of_case(theirs) == []
    assert elsewhere.of_case(ours) == []
    assert stranger.events == []
    assert {e["case"]["grid_id"] for e in chief.events} == {crew.assignee.unit_id}
    assert one.events == [], "the operator may not see the other district's case, even by its id"
    assert [(e["case_id"], e["action"]) for e in moving.events] == [(str(ours), "accept")]
    assert all(e["case"]["district_id"] == crew.district_id for e in district.events)


def elsewhere_than(crew: Crew) -> Crew:
    """A crew in another grid of another district."""
    return replace(new_crew(), stranger=crew.stranger)


async def test_an_idle_stream_sends_heartbeats_and_a_disconnected_client_is_let_go(live, crew: Crew):
    handling, base_url = live
    clients = "gridloop_handling_stream_clients"
    await until_metric(handling, clients, 0)  # the streams of earlier tests are let go
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(10, read=5)) as client,
        client.stream("GET", "/v1/stream/cases", headers=crew.stranger.headers()) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert (await anext(lines)).startswith(": case stream")
        assert await anext(lines) == "retry: 3000"
        heartbeats = 0
        while heartbeats < 4:
            heartbeats += (await anext(lines)) == ": heartbeat"
        assert await handling.metric(clients) == 1
    await until_metric(handling, clients, 0)
    # Four heartbeats took two seconds, but a stream is timed to its answer, not its length.
    timed = {"route": "/v1/stream/cases", "method": "GET"}
    count = await handling.metric("gridloop_handling_http_request_duration_seconds_count", **timed)
    total = await handling.metric("gridloop_handling_http_request_duration_seconds_sum", **timed)
    assert count >= 1
    assert total / count < 1.0


async def test_a_stream_ends_when_the_callers_token_expires(live, crew: Crew):
    _, base_url = live
    token = mint(crew.operator.person_id, lifetime=timedelta(seconds=2))
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(10, read=5)) as client,
        client.stream("GET", "/v1/stream/cases", headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        assert response.status_code == 200
        lines = [line async for line in response.aiter_lines()]  # ends: the server closed the stream
    assert lines[-2:] == [": token expired", ""]
    assert lines.count(": heartbeat") >= 2


async def until_metric(handling: Handling, name: str, value: float) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while await handling.metric(name) != value:
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{name} stayed at {await handling.metric(name)}, expected {value}")
        await asyncio.sleep(0.1)


async def test_events_sent_are_counted(live, dispatch, crew: Crew):
    handling, base_url = live
    sent = "gridloop_handling_stream_events_sent_total"
    before = await handling.metric(sent)
    async with listening(base_url, crew.operator.headers()) as (received, _):
        await dispatch.open_and_assign(crew, handling)
        await until(lambda: len(received.events) == 2, "two events")
    assert await handling.metric(sent) >= before + 2


@pytest.mark.parametrize(
    ("headers", "params", "status", "code"),
    [
        ({}, {}, 401, "unauthorized"),
        ({"Last-Event-ID": "soon"}, {}, 422, "invalid_stream_position"),
        ({}, {"after": "-3"}, 422, "invalid_stream_position"),
        ({"Last-Event-ID": "999999999"}, {}, 422, "invalid_stream_position"),
    ],
)
async def test_a_bad_start_is_refused_before_the_stream_opens(
    live, crew: Crew, headers, params, status, code
):
    handling, _ = live
    if status != 401:
        headers = headers | crew.operator.headers()
    response = await handling.http.get("/v1/stream/cases", headers=headers, params=params)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_an_event_carries_its_entrys_details_and_the_cases_traffic_light_moments(
    live, dispatch, crew: Crew
):
    handling, base_url = live
    async with listening(base_url, crew.operator.headers()) as (received, _):
        case_id = await dispatch.open_and_assign(crew, handling)
        await step(handling, case_id, "accept", crew.assignee)
        await step(
            handling, case_id, "requests/extension", crew.assignee, {"note": "parts due", "length": "P1D"}
        )
        await until(lambda: len(received.events) == 4, "four events")
    detail = (await handling.http.get(f"/v1/cases/{case_id}", headers=crew.operator.headers())).json()
    assert [e["details"] for e in received.events] == [entry["details"] for entry in detail["timeline"]]
    assert received.events[-1]["details"], "the extension request records what was asked"
    assigned = received.events[1]["case"]
    assert (assigned["yellow_at"], assigned["red_at"]) == (detail["yellow_at"], detail["red_at"])
    assert assigned["red_at"] is not None
