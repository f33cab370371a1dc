"""Handling starts without Kafka and says it is not ready until it can reach it; the real server runs
from ``python -m services.handling`` with JSON logs."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import uuid

import asyncpg
import httpx
import pytest

from shared.settings import REPO_ROOT
from shared.topics import ALL_TOPICS
from tests.integration.handling.conftest import delete_topics, new_crew, registry_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_without_kafka_handling_serves_but_is_not_ready(start_handling):
    nowhere = f"127.0.0.1:{free_port()}"
    async with start_handling(wait_ready=False, bootstrap=nowhere) as handling:
        assert (await handling.http.get("/healthz")).status_code == 200
        ready = await handling.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": True, "kafka": False, "consumer": False}
        operator = new_crew().operator
        listed = await handling.http.get("/v1/cases", headers=operator.headers())
        assert listed.status_code == 200
        assert listed.json() == {"items": [], "next_cursor": None}


async def test_the_real_server_starts_from_the_module_logs_json_and_becomes_ready(
    database_url, kafka_bootstrap
):
    port, run = free_port(), uuid.uuid4().hex[:10]
    schema, prefix = f"handling_test_{run}", f"test-handling-{run}."
    env = os.environ | {
        "GRIDLOOP_ENV": "test",
        "GRIDLOOP_HANDLING_PORT": str(port),
        "GRIDLOOP_HANDLING_DATABASE_URL": database_url,
        "GRIDLOOP_HANDLING_KAFKA_BOOTSTRAP": kafka_bootstrap,
        **registry_env(),
        "GRIDLOOP_HANDLING_DB_SCHEMA": schema,
        "GRIDLOOP_HANDLING_CONSUMER_GROUP": f"gridloop-handling-test-{run}",
        "GRIDLOOP_HANDLING_TOPIC_PREFIX": prefix,
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.handling",
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert server.stdout is not None
    # Drain the output as it comes: a full pipe would block the server's logging.
    lines: list[str] = []
    reader = asyncio.create_task(_read_lines(server.stdout, lines))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(240):
                if server.returncode is not None:
                    pytest.fail(f"server exited with {server.returncode}: {lines}")
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.25)
            else:
                pytest.fail("server did not become ready within 60 s")
            assert "gridloop_handling_http_requests_total" in (await http.get("/metrics")).text
    finally:
        if server.returncode is None:
            server.terminate()
        await asyncio.wait_for(server.wait(), timeout=30)
        await reader
        connection = await asyncpg.connect(database_url)
        await connection.execute(f'drop schema if exists "{schema}" cascade')
        await connection.close()
        await delete_topics(kafka_bootstrap, [prefix + topic.name for topic in ALL_TOPICS])
    output = "\n".join(lines)
    # uvicorn re-raises the SIGTERM it handled once shutdown is complete, so -15 is a clean exit.
    assert server.returncode in (0, -15), output
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    messages = [r.get("message") for r in records if r.get("service") == "handling"]
    assert "handling started" in messages
    assert "handling stopped" in messages
    assert all(line.startswith("{") for line in output.splitlines() if line.strip()), output


async def _read_lines(stream: asyncio.StreamReader, into: list[str]) -> None:
    async for raw in stream:
        into.append(raw.decode().rstrip("\n"))
