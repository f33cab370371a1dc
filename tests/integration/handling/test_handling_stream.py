"""The operators' live stream over real HTTP, PostgreSQL and Kafka: resuming with Last-Event-ID gets
exactly the missed events, jurisdiction and filters apply, positions are gap-free under concurrent
writers, heartbeats flow, disconnected clients are let go, and a second instance streams the same ids."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from services.handling import queries
from services.handling.api.auth import encode_token
from services.handling.bootstrap import bootstrap
from services.handling.domain import Actor, Assign, apply, open_case
from services.handling.domain.access import Viewer
from services.handling.repository import CaseRepository
from shared.settings import REPO_ROOT
from shared.topics import ALL_TOPICS
from tests.integration.handling.conftest import (
    SECRET,
    Crew,
    Dispatch,
    Handling,
    Person,
    delete_topics,
    handling_settings,
    running_handling,
)
from tests.integration.handling.stream_client import listening, served
from tests.integration.handling.test_handling_startup import free_port

BATCH = 5
CITY_WIDE = Viewer(person_id="test", role="supervisor", unit_id="yancheng", city_wide=True)


@pytest.fixture(scope="module")
async def live(database_url: str, kafka_bootstrap: str) -> AsyncIterator[tuple[Handling, str]]:
    """A handling app with a small replay batch and a quick heartbeat, served on a real port."""
    settings = handling_settings(database_url, kafka_bootstrap, uuid.uuid4().hex[:10]).model_copy(
        update={"stream_batch_size": BATCH, "stream_heartbeat_seconds": 0.5}
    )
    async with running_handling(settings) as handling, served(handling.app) as base_url:
        yield handling, base_url


async def until(check, what: str, within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


async def step(
    handling: Handling, case_id: uuid.UUID, action: str, person, body: dict[str, object] | None = None
) -> None:
    response = await handling.http.post(
        f"/v1/cases/{case_id}/{action}", json=body or {}, headers=person.headers()
    )
    assert response.status_code == 200, response.text


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


async def test_a_replay_longer_than_the_batch_cap_arrives_whole_and_in_order(live, dispatch, crew: Crew):
    handling, base_url = live
    pool = pool_of(handling)
    async with pool.acquire() as conn:
        start = await queries.stream_head(conn, handling.schema)
    case_ids = await _open_directly(handling, dispatch, crew, count=3 * BATCH + 2)
    async with listening(base_url, crew.operator.headers(), after=start) as (replay, _):
        await until(lambda: len(replay.events) == len(case_ids), "the replay")
    assert replay.ids == list(range(start + 1, start + 1 + len(case_ids)))
    assert [uuid.UUID(e["case_id"]) for e in replay.events] == case_ids

    async with pool.acquire() as conn:
        events, covered = await queries.stream_after(
            conn, handling.schema, viewer=CITY_WIDE, wanted=queries.CaseFilter(), after=start, limit=BATCH
        )
    assert len(events) == BATCH
    assert covered == events[-1]["position"]

    stranger = Viewer(person_id=crew.stranger.person_id, role="grid_worker", unit_id=crew.stranger.unit_id)
    async with pool_of(handling).acquire() as conn:
        head = await queries.stream_head(conn, handling.schema)
        events, covered = await queries.stream_after(
            conn, handling.schema, viewer=stranger, wanted=queries.CaseFilter(), after=start, limit=BATCH
        )
    assert events == []
    assert covered == head, "a reader moves past what it may not see instead of scanning it again"


async def test_positions_are_gap_free_and_in_commit_order_while_many_transactions_commit_at_once(
    live, dispatch, crew: Crew
):
    handling, _ = live
    pool = pool_of(handling)
    wanted = queries.CaseFilter(grid_id=crew.assignee.unit_id)
    async with pool.acquire() as conn:
        start = await queries.stream_head(conn, handling.schema)
    seen: list[int] = []
    writing = True

    async def reader() -> None:
        # Reads as fast as it can while writers commit: what it sees must never skip a position.
        after = start
        async with pool.acquire() as conn:
            while writing or after < await queries.stream_head(conn, handling.schema):
                events, covered = await queries.stream_after(
                    conn,
                    handling.schema,
                    viewer=CITY_WIDE,
                    wanted=queries.CaseFilter(),
                    after=after,
                    limit=50,
                )
                seen.extend(event["position"] for event in events)
                after = covered

    reading = asyncio.create_task(reader())
    case_ids = await asyncio.gather(*(_open_and_assign_directly(handling, dispatch, crew) for _ in range(40)))
    writing = False
    await reading
    assert seen == list(range(start + 1, start + 1 + len(seen)))
    async with pool.acquire() as conn:
        ours, _ = await queries.stream_after(
            conn, handling.schema, viewer=CITY_WIDE, wanted=wanted, after=start, limit=1000
        )
    by_case = {case_id: [row["seq"] for row in ours if row["case_id"] == case_id] for case_id in case_ids}
    assert all(seqs == [1, 2] for seqs in by_case.values()), "a case's entries left the stream out of order"


async def test_an_idle_stream_sends_heartbeats_and_a_disconnected_client_is_let_go(live, crew: Crew):
    handling, base_url = live
    clients = "gridloop_handling_stream_clients"
    before = await handling.metric(clients)
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
        assert await handling.metric(clients) == before + 1
    await until_metric(handling, clients, before)
    # Four heartbeats took two seconds, but a stream is timed to its answer, not its length.
    timed = {"route": "/v1/stream/cases", "method": "GET"}
    count = await handling.metric("gridloop_handling_http_request_duration_seconds_count", **timed)
    total = await handling.metric("gridloop_handling_http_request_duration_seconds_sum", **timed)
    assert count >= 1
    assert total / count < 1.0


async def test_a_stream_ends_when_the_callers_token_expires(live, crew: Crew):
    _, base_url = live
    token = encode_token(
        person_id=crew.operator.person_id,
        role=crew.operator.role,
        unit_id=crew.operator.unit_id,
        secret=SECRET,
        lifetime=timedelta(seconds=2),
    )
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


async def test_a_second_instance_streams_the_same_ids_for_events_the_first_one_wrote(
    live, database_url, dispatch, crew: Crew
):
    handling, first_url = live
    # Another instance on the same database. Its consumer reads topics of its own: joining the first
    # one's consumer group would make the group rebalance twice, which slows the tests after this one.
    twin_settings = handling.settings.model_copy(
        update={
            "consumer_group": f"{handling.settings.consumer_group}-twin",
            "topic_prefix": f"{handling.settings.topic_prefix}twin.",
        }
    )
    twin = bootstrap(twin_settings)
    try:
        async with (
            twin.router.lifespan_context(twin),
            served(twin) as second_url,
            listening(first_url, crew.operator.headers()) as (on_first, _),
            listening(second_url, crew.operator.headers()) as (on_second, _),
        ):
            case_id = await dispatch.open_and_assign(crew, handling)
            await step(handling, case_id, "accept", crew.assignee)
            await until(lambda: len(on_first.events) == 3 and len(on_second.events) == 3, "both instances")
    finally:
        twin_topics = [twin_settings.topic_prefix + topic.name for topic in ALL_TOPICS]
        await delete_topics(twin_settings.kafka_bootstrap, twin_topics)
    assert on_first.events == on_second.events


def elsewhere_than(crew: Crew) -> Crew:
    """A crew in another grid of another district."""
    run = uuid.uuid4().hex[:8]
    return Crew(
        assignee=Person(f"w-{run}", "grid_worker", f"g-{run}"),
        verifier=Person(f"gc-{run}", "grid_chief", f"g-{run}"),
        stranger=crew.stranger,
        operator=Person(f"op-{run}", "operator", f"d-{run}"),
        district_id=f"d-{run}",
    )


# --- writing cases straight through the repository (the same transactions the handlers run) -----------

SYSTEM = Actor(id="test", role="system")


def pool_of(handling: Handling) -> Any:
    return handling.app.state.runtime.pool  # type: ignore[attr-defined]


async def _open_directly(
    handling: Handling, dispatch: Dispatch, crew: Crew, *, count: int
) -> list[uuid.UUID]:
    opened, _ = dispatch.events(crew)
    case_ids = []
    async with pool_of(handling).acquire() as conn:
        for _ in range(count):
            event = opened.model_copy(update={"case_id": uuid.uuid4()})
            case = open_case(event, event_id=uuid.uuid4(), actor=SYSTEM, now=event.occurred_at)
            async with conn.transaction():
                await CaseRepository(conn, handling.schema).add(case)
            case_ids.append(case.id)
    return case_ids


async def _open_and_assign_directly(handling: Handling, dispatch: Dispatch, crew: Crew) -> uuid.UUID:
    """Two transactions, as dispatch's two events make them."""
    [case_id] = await _open_directly(handling, dispatch, crew, count=1)
    _, assigned = dispatch.events(crew, case_id)
    command = Assign.of(assigned, event_id=uuid.uuid4())
    async with pool_of(handling).acquire() as conn, conn.transaction():
        case = await CaseRepository(conn, handling.schema).get(case_id, for_update=True)
        assert case is not None
        after, _ = apply(case, command, SYSTEM, case.opened_at)
        await CaseRepository(conn, handling.schema).save(case, after)
    return case_id


async def test_sigterm_ends_open_streams_after_the_grace_period_and_shuts_down_cleanly(
    database_url, kafka_bootstrap, crew: Crew
):
    port, run = free_port(), uuid.uuid4().hex[:10]
    settings = handling_settings(database_url, kafka_bootstrap, run)
    env = os.environ | {
        "GRIDLOOP_ENV": "test",
        "GRIDLOOP_HANDLING_PORT": str(port),
        "GRIDLOOP_HANDLING_DATABASE_URL": database_url,
        "GRIDLOOP_HANDLING_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "GRIDLOOP_HANDLING_JWT_SECRET": SECRET,
        "GRIDLOOP_HANDLING_DB_SCHEMA": settings.db_schema,
        "GRIDLOOP_HANDLING_CONSUMER_GROUP": settings.consumer_group,
        "GRIDLOOP_HANDLING_TOPIC_PREFIX": settings.topic_prefix,
        "GRIDLOOP_HANDLING_SHUTDOWN_GRACE_SECONDS": "1",
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.handling", cwd=REPO_ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert server.stdout is not None
    output = asyncio.create_task(server.stdout.read())
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as http:
            for _ in range(240):
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.25)
        async with listening(base_url, crew.operator.headers()) as (_, reading):
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=20)
            await asyncio.wait({reading}, timeout=5)
            assert reading.done(), "the stream stayed open after the server stopped"
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
        connection = await asyncpg.connect(database_url)
        await connection.execute(f'drop schema if exists "{settings.db_schema}" cascade')
        await connection.close()
        await delete_topics(kafka_bootstrap, [settings.topic_prefix + topic.name for topic in ALL_TOPICS])
    assert server.returncode in (0, -15)
    assert b'"handling stopped"' in await output


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
