"""Who a request to handling acts for: the token names a person, the registry in force today says what
they are; a token that claims otherwise is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request

from services.handling.api.deps import current_caller, current_viewer
from shared.auth import ACCESS_COOKIE, Authenticator, LocalIssuer, TokenVerifier
from shared.city import load_city
from shared.http import ApiError
from shared.settings import REPO_ROOT
from tests.builders.tokens import mint, signing_key

NOON = datetime(2025, 6, 2, 4, 0, tzinfo=UTC)  # noon in Yancheng


def runtime(now: datetime = NOON) -> Any:
    verifier = TokenVerifier([LocalIssuer([signing_key().public_key()])], clock=lambda: now)
    authenticator = Authenticator(verifier, load_city(REPO_ROOT / "city"), clock=lambda: now)
    return SimpleNamespace(authenticator=authenticator)


def request(token: str | None = None, *, cookie: bool = False) -> Request:
    headers = []
    if token and cookie:
        headers.append((b"cookie", f"{ACCESS_COOKIE}={token}".encode()))
    elif token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return Request({"type": "http", "method": "GET", "path": "/v1/cases", "headers": headers})


async def viewer_of(token: str | None, *, cookie: bool = False, now: datetime = NOON):
    return await current_viewer(await current_caller(request(token, cookie=cookie), runtime(now)))


@pytest.mark.parametrize(
    ("person_id", "role", "unit_id", "city_wide"),
    [
        ("w-tinghu-wenfeng-01", "grid_worker", "g-tinghu-wenfeng-01", False),
        ("op-tinghu", "operator", "d-tinghu", False),
        ("sv-yancheng", "supervisor", "yancheng", True),
    ],
)
async def test_the_viewer_is_the_person_the_token_names_as_the_registry_has_them(
    person_id: str, role: str, unit_id: str, city_wide: bool
):
    viewer = await viewer_of(mint(person_id, now=NOON))
    assert (viewer.person_id, viewer.role, viewer.unit_id, viewer.city_wide) == (
        person_id,
        role,
        unit_id,
        city_wide,
    )


async def test_the_consoles_cookie_is_as_good_as_the_bearer_header():
    assert (await viewer_of(mint("op-tinghu", now=NOON), cookie=True)).unit_id == "d-tinghu"


async def test_a_grid_worker_who_says_they_are_a_city_wide_supervisor_is_refused():
    token = mint("w-tinghu-wenfeng-01", now=NOON, role="supervisor", unit_id="yancheng")
    with pytest.raises(ApiError) as refused:
        await viewer_of(token)
    assert refused.value.status == 401
    assert "registry" in refused.value.message


async def test_someone_the_registry_does_not_have_is_refused():
    for person_id in ("w-001", "co-tinghu-wenfeng-yulong-former"):  # never there; left on 2024-12-31
        with pytest.raises(ApiError) as refused:
            await viewer_of(mint(person_id, now=NOON))
        assert refused.value.status == 401


async def test_no_token_is_refused_with_the_bearer_challenge():
    with pytest.raises(ApiError) as refused:
        await viewer_of(None)
    assert (refused.value.status, refused.value.headers["WWW-Authenticate"]) == (401, "Bearer")


async def test_a_stream_knows_when_its_token_expires():
    caller = await current_caller(
        request(mint("op-tinghu", now=NOON, lifetime=timedelta(minutes=5))), runtime()
    )
    assert caller.expires_at == NOON + timedelta(minutes=5)
