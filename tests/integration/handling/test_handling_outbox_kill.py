"""Handling SIGKILLed between committing steps and publishing their events: nothing is lost. The steps
are committed (their outbox rows written) while the relay is held back; the process is killed; a new
handling publishes every event exactly once, under the ids the timeline recorded."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from typing import Any

import asyncpg
import httpx

from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS
from tests.integration.handling.conftest import (
    Handling,
    drop_data,
    handling_settings,
    registry_env,
    running_handling,
)

HANDLING_SOURCE = "/gridloop/handling"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_process(settings: Any, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GRIDLOOP_ENV": "test",
        "GRIDLOOP_HANDLING_DATABASE_URL": settings.database_url.get_secret_value(),
        "GRIDLOOP_HANDLING_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "GRIDLOOP_HANDLING_DB_SCHEMA": settings.db_schema,
        "GRIDLOOP_HANDLING_CONSUMER_GROUP": settings.consumer_group,
        "GRIDLOOP_HANDLING_TOPIC_PREFIX": settings.topic_prefix,
        **registry_env(),
        "GRIDLOOP_HANDLING_PORT": str(port),
        "GRIDLOOP_HANDLING_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.handling"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL
    )


async def test_events_committed_before_a_sigkill_are_published_once_after_restart(
    database_url, kafka_bootstrap, dispatch, crew, tail
):
    run = uuid.uuid4().hex[:10]
    settings = handling_settings(database_url, kafka_bootstrap, run)
    lock = f"outbox-relay:{settings.db_schema}"
    holder = await asyncpg.connect(database_url)
    port = free_port()
    process = start_process(settings, port)
    try:
        # Holding the relay's advisory lock keeps every relay from publishing: the window between a
        # step's commit and its publication, held open.
        assert await holder.fetchval("select pg_try_advisory_lock(hashtext($1))", lock)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(300):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise AssertionError("the handling process never became ready")
            handling = Handling(app=process, http=http, settings=settings, schema=settings.db_schema)
            case_ids = [await dispatch.open_and_assign(crew, handling) for _ in range(3)]
            for case_id in case_ids:
                for action in ("accept", "start"):
                    response = await http.post(
                        f"/v1/cases/{case_id}/{action}", headers=crew.assignee.headers()
                    )
                    assert response.status_code == 200, response.text
        committed = await holder.fetch(
            f'select event_id from "{settings.db_schema}".outbox where published_at is null order by seq'
        )
        assert len(committed) == 6
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        await holder.execute("select pg_advisory_unlock(hashtext($1))", lock)

        topic = await tail(settings.topic_prefix + CASE_EVENTS.name)
        async with running_handling(settings, keep_data=True):

            def ours(envelope: Any) -> bool:
                return envelope.source == HANDLING_SOURCE and envelope.data.case_id in case_ids

            published = await topic.collect(ours, count=6, within=30)
            assert await topic.collect(ours, count=1, within=2) == [], "an event was published twice"
        assert sorted(e.id for e in published) == sorted(row["event_id"] for row in committed)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        await holder.close()
        await drop_data(settings)
