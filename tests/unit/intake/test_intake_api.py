"""Intake's routes over an in-memory publisher: the answers a grid app gets, each error from its one
place (``api/errors.py``), without a broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.intake.bootstrap import bootstrap, limits
from services.intake.handlers import Intake
from services.intake.metrics import intake_metrics
from services.intake.settings import IntakeSettings
from shared.city import load_city
from shared.observability import ServiceMetrics
from shared.settings import REPO_ROOT
from tests.unit.intake.fakes import FakePublisher
from tests.unit.intake.submissions import CITY, NOW, RESIDENT_APP, submission

API_KEY = {"X-Api-Key": f"dev-key-{RESIDENT_APP.app_id}"}


@dataclass
class Client:
    http: httpx.AsyncClient
    publisher: FakePublisher

    async def post(self, **overrides: Any) -> httpx.Response:
        body = submission(**overrides).model_dump(mode="json", exclude_none=True)
        return await self.http.post("/v1/reports", json=body, headers=API_KEY)


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    settings = IntakeSettings(retry_after_seconds=7)
    app = bootstrap(settings)
    publisher = FakePublisher()
    app.state.intake = Intake(
        city=CITY,
        publisher=publisher,
        limits=limits(settings),
        metrics=intake_metrics(ServiceMetrics("intake")),
        clock=lambda: NOW,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as http:
        yield Client(http, publisher)


async def test_an_accepted_report_is_a_202_naming_it_and_its_cell(client: Client):
    response = await client.post(report_id="0b5c1b6e-9a0e-4a51-8d3f-1f1b1c2d3e4f")
    assert response.status_code == 202
    (record,) = client.publisher.records
    assert response.json() == {
        "report_id": "0b5c1b6e-9a0e-4a51-8d3f-1f1b1c2d3e4f",
        "status": "accepted",
        "cell": record.key.decode(),
    }


async def test_a_refused_report_is_a_422_naming_its_rule_and_fields(client: Client):
    response = await client.post(location=None, address="  ")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "location_or_address_required"
    assert [d["field"] for d in error["details"]] == ["location", "address"]
    assert client.publisher.records == []


async def test_a_broker_that_is_away_is_a_503_with_the_settings_retry_after(client: Client):
    client.publisher.down = True
    response = await client.post()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "broker_unavailable"


async def test_a_report_without_an_api_key_is_a_401(client: Client):
    response = await client.http.post("/v1/reports", json=submission().model_dump(mode="json"))
    assert (response.status_code, response.json()["error"]["code"]) == (401, "missing_api_key")


async def test_the_catalogue_lists_the_citys_active_categories(client: Client):
    body = (await client.http.get("/v1/categories")).json()
    active = [c for c in load_city(REPO_ROOT / "city").categories if c.active]
    assert [c["code"] for c in body["categories"]] == [c.code for c in active]
    assert set(body["categories"][0]) == {"code", "name", "name_zh", "nature", "priority"}
