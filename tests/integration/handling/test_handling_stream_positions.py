"""Stream positions over real HTTP, PostgreSQL and Kafka: a long replay comes in capped batches,
positions are gap-free and in commit order under concurrent writers, a second instance streams the same
ids, and a SIGTERM ends open streams after the grace period."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from services.handling import queries
from services.handling.bootstrap import bootstrap
from services.handling.domain import Actor, Assign, apply, open_case
from services.handling.domain.access import Viewer
from services.handling.repository import CaseRepository
from shared.settings import REPO_ROOT
from shared.topics import ALL_TOPICS
from tests.integration.handling.conftest import (
    Crew,
    Dispatch,
    Handling,
    delete_topics,
    handling_settings,
    registry_env,
)
from tests.integration.handling.stream_client import BATCH, listening, live_handling, served, step, until
from tests.integration.handling.test_handling_startup import free_port

CITY_WIDE = Viewer(person_id="test", role="supervisor", unit_id="yancheng", city_wide=True)


@pytest.fixture(scope="module")
async def live(database_url: str, kafka_bootstrap: str) -> AsyncIterator[tuple[Handling, str]]:
    async with live_handling(database_url, kafka_bootstrap) as running:
        yield running


async def test_a_replay_longer_than_the_batch_cap_arrives_whole_and_in_order(live, dispatch, crew: Crew):
    handling, base_url = live
    pool = handling.pool
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
    async with handling.pool.acquire() as conn:
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
    pool = handling.pool
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


# --- writing cases straight through the repository (the same transactions the handlers run) -----------

SYSTEM = Actor(id="test", role="system")


async def _open_directly(
    handling: Handling, dispatch: Dispatch, crew: Crew, *, count: int
) -> list[uuid.UUID]:
    opened, _ = dispatch.events(crew)
    case_ids = []
    async with handling.pool.acquire() as conn:
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
    async with handling.pool.acquire() as conn, conn.transaction():
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
        **registry_env(),
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
