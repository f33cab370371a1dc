"""intake against the real broker: 202 only once the report is in Kafka, 503 when it can't be."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.intake.bootstrap import bootstrap
from services.intake.settings import IntakeSettings
from shared.city import load_city
from shared.events.reports import ReportSubmitted
from shared.settings import REPO_ROOT
from shared.topics import REPORTS

CITY = load_city(REPO_ROOT / "city")
RESIDENT_APP = next(app for app in CITY.apps if "resident" in app.source_types)
API_KEY = {"X-Api-Key": f"dev-key-{RESIDENT_APP.app_id}"}
POINT = CITY.grids[3].polygon.representative_point()


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "source_type": "resident",
        "reporter_id": "resident-7",
        "category": next(c.code for c in CITY.categories if c.active),
        "description": "The manhole cover outside the school gate is cracked.",
        "location": {"lon": POINT.x, "lat": POINT.y},
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
    }
    body.update(overrides)
    return body


async def running_client(app: FastAPI, *, wait_ready: bool) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            if wait_ready:
                for _ in range(100):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                    await asyncio.sleep(0.2)
                else:
                    pytest.fail("intake never became ready against the test broker")
            yield client


@pytest.fixture
async def intake(kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    app = bootstrap(IntakeSettings(kafka_bootstrap=kafka_bootstrap))
    async for client in running_client(app, wait_ready=True):
        yield client


@pytest.fixture
async def intake_without_kafka() -> AsyncIterator[httpx.AsyncClient]:
    # Nothing listens on port 1: the broker is unavailable for the whole test.
    app = bootstrap(IntakeSettings(kafka_bootstrap="127.0.0.1:1", ack_timeout_seconds=1))
    async for client in running_client(app, wait_ready=False):
        yield client


async def test_an_accepted_report_is_in_kafka_before_the_202(intake: httpx.AsyncClient, tail: Any) -> None:
    reports = await tail(REPORTS.name)
    body = report_body()
    response = await intake.post("/v1/reports", json=body, headers=API_KEY)
    assert response.status_code == 202, response.text
    assert response.json()["report_id"] == body["report_id"]

    found = await reports.collect(lambda e: e.id == body["report_id"], count=1)
    assert len(found) == 1
    event = found[0]
    assert event.source == "/gridloop/intake"
    assert isinstance(event.data, ReportSubmitted)
    assert event.data.app_id == RESIDENT_APP.app_id
    assert event.data.description == body["description"]


async def test_a_retry_with_the_same_report_id_gets_the_same_answer_and_the_same_event_id(
    intake: httpx.AsyncClient, tail: Any
) -> None:
    reports = await tail(REPORTS.name)
    body = report_body()
    first = await intake.post("/v1/reports", json=body, headers=API_KEY)
    second = await intake.post("/v1/reports", json=body, headers=API_KEY)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    found = await reports.collect(lambda e: e.id == body["report_id"], count=2)
    # Both copies carry one CloudEvent id: every consumer counts them as one report.
    assert {e.id for e in found} == {body["report_id"]}


async def test_bad_input_is_a_422_naming_the_field(intake: httpx.AsyncClient) -> None:
    response = await intake.post(
        "/v1/reports", json=report_body(location={"lon": 200, "lat": 33}), headers=API_KEY
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "location.lon" in error["message"]

    response = await intake.post("/v1/reports", json=report_body(category="no.such"), headers=API_KEY)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_category"


async def test_a_report_with_only_an_address_is_accepted_and_keyed_by_its_communitys_cell(
    intake: httpx.AsyncClient, tail: Any
) -> None:
    reports = await tail(REPORTS.name)
    body = report_body(address="亭湖区毓龙西路18号")  # Yulong, by the gazetteer
    del body["location"]

    response = await intake.post("/v1/reports", json=body, headers=API_KEY)

    assert response.status_code == 202, response.text
    (event,) = await reports.collect(lambda e: e.id == body["report_id"], count=1)
    assert isinstance(event.data, ReportSubmitted)
    assert (event.data.location, event.data.address) == (None, "亭湖区毓龙西路18号")
    assert response.json()["cell"] == event.data.cell is not None


async def test_neither_a_location_nor_an_address_is_a_422_naming_both(intake: httpx.AsyncClient) -> None:
    for address in (None, "   "):
        body = report_body(address=address)
        del body["location"]

        response = await intake.post("/v1/reports", json=body, headers=API_KEY)

        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "location_or_address_required"
        assert [d["field"] for d in error["details"]] == ["location", "address"]


async def test_a_missing_or_wrong_api_key_is_a_401(intake: httpx.AsyncClient) -> None:
    assert (await intake.post("/v1/reports", json=report_body())).status_code == 401
    wrong = await intake.post("/v1/reports", json=report_body(), headers={"X-Api-Key": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_api_key"


async def test_an_oversized_body_is_a_413(intake: httpx.AsyncClient) -> None:
    response = await intake.post(
        "/v1/reports",
        content=b"{" + b" " * 70_000 + b"}",
        headers={**API_KEY, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_without_kafka_a_report_gets_503_with_retry_after(
    intake_without_kafka: httpx.AsyncClient,
) -> None:
    response = await intake_without_kafka.post("/v1/reports", json=report_body(), headers=API_KEY)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "broker_unavailable"
    assert (await intake_without_kafka.get("/readyz")).status_code == 503
    assert (await intake_without_kafka.get("/healthz")).status_code == 200


async def test_metrics_count_accepted_reports_by_source_type(intake: httpx.AsyncClient) -> None:
    await intake.post("/v1/reports", json=report_body(), headers=API_KEY)
    metrics = (await intake.get("/metrics")).text
    assert 'gridloop_intake_reports_accepted_total{source_type="resident"}' in metrics
    assert 'gridloop_intake_http_requests_total{method="POST",route="/v1/reports",status="202"}' in metrics
