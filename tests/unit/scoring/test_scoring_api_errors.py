"""Scoring's errors become HTTP errors in one place (``api/errors.py``): each with its status and code,
whichever route raised it. The routes run over a fake pool and fake reads, no database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
from pydantic import SecretStr

from services.scoring.api.deps import ApiContext
from services.scoring.bootstrap import bootstrap
from services.scoring.config import load_rubric, load_vanguard
from services.scoring.ports import utc_now
from services.scoring.queries import Queries
from services.scoring.settings import ScoringSettings
from shared.auth import Authenticator, LocalIssuer, TokenVerifier
from shared.city import load_city
from shared.settings import REPO_ROOT
from tests.builders.tokens import mint, signing_key
from tests.unit.scoring.fakes import FakePool


class NoResults:
    """The reads of a scoring that has counted nothing and closed no period."""

    async def load_result(self, conn: object, *args: Any) -> None:
        return None

    async def closed(self, conn: object, kind: str | None = None) -> list[str]:
        return []

    async def ranking(self, conn: object, **query: Any) -> tuple[int, list[Any]]:
        return 0, []


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = bootstrap(ScoringSettings(database_url=SecretStr("postgresql://never-connected/unit")))
    city = load_city(REPO_ROOT / "city")
    app.state.scoring = ApiContext(
        pool=FakePool(),
        queries=cast(Queries, NoResults()),
        rubric=load_rubric(REPO_ROOT / "city" / "rubric.yaml"),
        names={},
        max_page_size=500,
        vanguard=load_vanguard(REPO_ROOT / "city" / "vanguard.yaml"),
        authenticator=Authenticator(TokenVerifier([LocalIssuer([signing_key().public_key()])]), city),
        city=city,
        clock=utc_now,
    )
    transport = httpx.ASGITransport(app=app)
    # A city-wide supervisor: sees every subject, so each error is the route's own.
    headers = {"Authorization": f"Bearer {mint('sv-yancheng')}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://scoring", headers=headers) as client:
        yield client


async def error(http: httpx.AsyncClient, path: str, **params: str) -> tuple[int, str, str]:
    response = await http.get(path, params=params)
    body = response.json()["error"]
    return response.status_code, body["code"], body["message"]


async def test_a_period_not_written_as_one_is_a_400_invalid_period(http: httpx.AsyncClient):
    status, code, message = await error(http, "/v1/rankings", level="grid", period="November")
    assert (status, code) == (400, "invalid_period")
    assert "'November'" in message


async def test_an_unknown_subject_type_is_a_400_named_after_its_parameter(http: httpx.AsyncClient):
    assert (await error(http, "/v1/assessments", period="2026-11", subject_type="mayor"))[:2] == (
        400,
        "invalid_subject_type",
    )
    status, code, message = await error(http, "/v1/rankings", level="mayor", period="2026-11")
    assert (status, code) == (400, "invalid_level")
    assert message.startswith("level must be one of grid_worker, grid,")


async def test_a_subject_without_a_result_is_a_404(http: httpx.AsyncClient):
    status, code, message = await error(http, "/v1/assessments/grid/g-1", period="2026-11")
    assert (status, code, message) == (404, "not_found", "no assessment for grid:g-1 in 2026-11")


@pytest.mark.parametrize("path", ["/v1/rankings", "/v1/bulletins/2026-10.csv"])
async def test_final_results_of_a_period_still_open_are_a_409(http: httpx.AsyncClient, path: str):
    params = {"level": "grid", "final": "true"} | ({"period": "2026-10"} if "rankings" in path else {})
    status, code, _ = await error(http, path, **params)
    assert (status, code) == (409, "period_open")
