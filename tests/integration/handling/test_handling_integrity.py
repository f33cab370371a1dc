"""What the database guarantees on its own: the timeline cannot be rewritten, two people racing on one
case cannot both win, and the case stream keeps what the stream sends."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.handling.schemas import StreamedCase, StreamEvent


async def test_the_timeline_refuses_updates_deletes_and_truncation(handling, dispatch, crew, database_url):
    case_id = await dispatch.open_and_assign(crew, handling)
    connection = await asyncpg.connect(database_url)
    table = f'"{handling.schema}".case_timeline'
    try:
        for statement in (
            f"update {table} set note = 'rewritten' where case_id = $1",
            f"delete from {table} where case_id = $1",
        ):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await connection.execute(statement, case_id)
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute(f"truncate {table} cascade")
        assert await connection.fetchval(f"select count(*) from {table} where case_id = $1", case_id) == 2
    finally:
        await connection.close()


async def test_two_simultaneous_accepts_of_one_case_make_one_step(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    responses = await asyncio.gather(
        *(
            handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.assignee.headers())
            for _ in range(5)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    timeline = (
        await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=crew.assignee.headers())
    ).json()
    assert [e["action"] for e in timeline["entries"]] == ["open", "assign", "accept"]


async def test_the_case_stream_table_keeps_every_field_the_stream_sends(handling, database_url):
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            """select column_name from information_schema.columns
               where table_schema = $1 and table_name = 'case_stream'""",
            handling.schema,
        )
    finally:
        await connection.close()
    sent = set(StreamEvent.model_fields) - {"case"} | set(StreamedCase.model_fields)
    assert sent - {row["column_name"] for row in rows} == set()
