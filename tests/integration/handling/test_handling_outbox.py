"""The transactional outbox: steps committed while no relay can publish wait in the database, and
leave — each exactly once — when a relay takes over."""

from __future__ import annotations

import uuid

import asyncpg

from shared.topics import CASE_EVENTS

HANDLING_SOURCE = "/gridloop/handling"


async def test_steps_committed_while_the_relay_is_stopped_are_published_once_when_it_starts(
    start_handling, dispatch, crew, tail, database_url
):
    # Every relay waits for this advisory lock before publishing; holding it keeps the relay stopped
    # (exactly as a standby instance waits while another one leads).
    run = uuid.uuid4().hex[:10]
    lock = f"outbox-relay:handling_test_{run}"
    holder = await asyncpg.connect(database_url)
    try:
        assert await holder.fetchval("select pg_try_advisory_lock(hashtext($1))", lock)
        async with start_handling(run=run) as handling:
            case_ids = [await dispatch.open_and_assign(crew, handling) for _ in range(2)]
            topic = await tail(handling.topic(CASE_EVENTS))
            for case_id in case_ids:
                for action, person in (("accept", crew.assignee), ("resolve", crew.assignee)):
                    response = await handling.http.post(
                        f"/v1/cases/{case_id}/{action}", json={"note": action}, headers=person.headers()
                    )
                    assert response.status_code == 200, response.text

            def ours(envelope) -> bool:
                return envelope.source == HANDLING_SOURCE and envelope.data.case_id in case_ids

            assert await topic.collect(ours, count=1, within=3) == []
            pending = await holder.fetch(
                f'select event_id from "{handling.schema}".outbox where published_at is null order by seq'
            )
            assert len(pending) == 4

            await holder.execute("select pg_advisory_unlock(hashtext($1))", lock)

            published = await topic.collect(ours, count=4, within=15)
            assert await topic.collect(ours, count=1, within=2) == [], "an event was published twice"
            assert sorted(e.id for e in published) == sorted(row["event_id"] for row in pending)
            unpublished = await holder.fetchval(
                f'select count(*) from "{handling.schema}".outbox where published_at is null'
            )
            assert unpublished == 0
    finally:
        await holder.close()
