"""Scoring as a service: clear errors, starting without Kafka, and `python -m services.scoring`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from tests.builders.tokens import public_key_file
from tests.integration.scoring.conftest import RunningScoring, running, settings_for, until

# Nothing listens on the discard port: a broker that is down.
NO_KAFKA = "127.0.0.1:9"


@pytest.fixture(scope="module")
async def without_kafka(database_url: str, schema: str, unique: str) -> AsyncIterator[RunningScoring]:
    settings = settings_for(
        bootstrap=NO_KAFKA,
        database_url=database_url,
        schema=schema,
        topic="gridloop.case-events",
        unique=unique,
    )
    async with running(settings) as service:
        yield service


async def test_scoring_starts_and_serves_while_kafka_is_down_but_is_not_ready(without_kafka: RunningScoring):
    assert (await without_kafka.http.get("/healthz")).status_code == 200
    ready = await without_kafka.http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": True, "consumer": False, "kafka": False}
    assert (await without_kafka.http.get("/v1/periods")).json() == {"periods": [], "closed": []}


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "november", "2026-11-01", "2026-Q5"])
async def test_a_malformed_period_is_a_400_that_says_what_a_period_looks_like(
    without_kafka: RunningScoring, period: str
):
    for path in ("/v1/assessments?subject_type=grid", "/v1/assessments/grid/g-1?"):
        response = await without_kafka.http.get(f"{path}&period={period}")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_period"
        assert "YYYY-MM" in error["message"]
        assert "YYYY-Qn" in error["message"]
        assert period in error["message"]


async def test_an_unknown_subject_type_is_a_400_naming_the_known_ones(without_kafka: RunningScoring):
    response = await without_kafka.http.get(
        "/v1/assessments", params={"period": "2026-11", "subject_type": "city"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_subject_type",
        "message": "subject_type must be one of grid_worker, grid, community, street, district, department, "
        "reporter, not 'city'",
    }


async def test_a_missing_period_is_a_validation_error_naming_the_field(without_kafka: RunningScoring):
    response = await without_kafka.http.get("/v1/assessments", params={"subject_type": "grid"})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "query.period", "problem": "Field required"}]


async def test_a_subject_without_results_in_the_period_is_not_found(without_kafka: RunningScoring):
    response = await without_kafka.http.get("/v1/assessments/grid/g-nowhere", params={"period": "2026-11"})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "no assessment for grid:g-nowhere in 2026-11",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_python_m_services_scoring_serves_and_gets_ready(
    kafka_bootstrap: str, database_url: str, case_topic: str, unique: str
):
    port = free_port()
    schema = f"scoring_m{unique}"
    env = {
        **os.environ,
        "GRIDLOOP_ENV": "test",
        "GRIDLOOP_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "DATABASE_URL": database_url,
        "GRIDLOOP_SCORING_PORT": str(port),
        "GRIDLOOP_SCORING_DB_SCHEMA": schema,
        "GRIDLOOP_SCORING_CASE_EVENTS_TOPIC": case_topic,
        "GRIDLOOP_SCORING_CONSUMER_GROUP": f"gridloop-scoring-main-{unique}",
        "GRIDLOOP_SCORING_AUTH_PUBLIC_KEY_FILE": str(public_key_file()),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.scoring",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

            async def ready() -> bool:
                if process.returncode is not None:
                    pytest.fail(f"scoring exited with {process.returncode}")
                try:
                    return (await http.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(ready, within=60, what=f"python -m services.scoring on port {port} to be ready")
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why it ended.
        assert await asyncio.wait_for(process.wait(), 30) in (0, -signal.SIGTERM)
        output = (await process.stdout.read()).decode() if process.stdout else ""
        assert "Application shutdown complete" in output
        assert '"service": "scoring"' in output  # JSON logs, not uvicorn's own format
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        conn = await asyncpg.connect(database_url)
        await conn.execute(f'drop schema if exists "{schema}" cascade')
        await conn.close()
