"""Tokens from requests (the Bearer header, else the console's cookie), refusals as HTTP errors, and the
authenticator a service's settings describe."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from starlette.requests import Request

from shared.auth import ACCESS_COOKIE, AuthSettings, KeyFileError, open_authenticator, token_from
from shared.city import City, load_city
from shared.http import ApiError
from shared.settings import REPO_ROOT
from tests.builders.tokens import IdentityProvider, mint, signing_key, write_public_key


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(REPO_ROOT / "city", on=date(2025, 6, 2))


def request(headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if cookies:
        raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


def test_the_bearer_header_carries_the_token():
    assert token_from(request({"Authorization": "Bearer abc.def.ghi"})) == "abc.def.ghi"
    assert token_from(request({"Authorization": "bearer  abc.def.ghi "})) == "abc.def.ghi"


def test_a_browser_carries_the_token_in_the_access_cookie():
    assert token_from(request(cookies={ACCESS_COOKIE: "abc.def.ghi"})) == "abc.def.ghi"


def test_the_header_wins_over_the_cookie():
    both = request({"Authorization": "Bearer from-header"}, {ACCESS_COOKIE: "from-cookie"})
    assert token_from(both) == "from-header"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "abc.def.ghi"])
def test_other_authorization_schemes_carry_no_token(header: str):
    assert token_from(request({"Authorization": header})) is None
    assert token_from(request({"Authorization": header}, {ACCESS_COOKIE: "c"})) == "c"


def settings(tmp_path: Path, **values: object) -> AuthSettings:
    return AuthSettings(env="test", **values)  # type: ignore[arg-type]


async def test_a_service_accepts_the_consoles_tokens_through_its_public_key_file(tmp_path: Path, city: City):
    key_file = write_public_key(signing_key(), tmp_path)
    async with open_authenticator(settings(tmp_path, auth_public_key_file=str(key_file)), city=city) as gate:
        caller = await gate.caller(request({"Authorization": f"Bearer {mint('sv-yancheng')}"}))
    assert (caller.person_id, caller.city_wide) == ("sv-yancheng", True)


async def test_a_missing_or_bad_token_is_a_401_with_a_bearer_challenge(tmp_path: Path, city: City):
    key_file = write_public_key(signing_key(), tmp_path)
    async with open_authenticator(settings(tmp_path, auth_public_key_file=str(key_file)), city=city) as gate:
        with pytest.raises(ApiError) as missing:
            await gate.caller(request())
        with pytest.raises(ApiError) as forged:
            await gate.caller(
                request({"Authorization": f"Bearer {mint('sv-yancheng', key=signing_key('x'))}"})
            )
        with pytest.raises(ApiError) as disowned:
            await gate.caller(
                request(cookies={ACCESS_COOKIE: mint("w-tinghu-wenfeng-01", role="supervisor")})
            )
    assert (missing.value.status, missing.value.code) == (401, "unauthorized")
    assert missing.value.headers == {"WWW-Authenticate": "Bearer"}
    assert forged.value.status == 401
    assert forged.value.headers == {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    assert disowned.value.status == 401
    assert "registry" in disowned.value.message


async def test_a_service_accepts_the_tokens_of_an_oidc_issuer_configured_by_url(tmp_path: Path, city: City):
    with IdentityProvider().serving() as provider:
        configured = settings(tmp_path, oidc_issuer_url=provider.url, oidc_audience="gridloop")
        async with open_authenticator(configured, city=city) as gate:
            caller = await gate.caller(request({"Authorization": f"Bearer {provider.token('op-tinghu')}"}))
            assert caller.jurisdiction.unit_id == "d-tinghu"
            provider.up = False
            gate_of_an_unreachable = open_authenticator(
                settings(tmp_path, oidc_issuer_url=provider.url + "-down"), city=city
            )
            async with gate_of_an_unreachable as other:
                token = provider.token("op-tinghu", issuer=provider.url + "-down")
                with pytest.raises(ApiError) as outage:
                    await other.caller(request({"Authorization": f"Bearer {token}"}))
    assert (outage.value.status, outage.value.code) == (503, "auth_unavailable")
    assert outage.value.headers["Retry-After"]


async def test_both_issuers_at_once(tmp_path: Path, city: City):
    key_file = write_public_key(signing_key(), tmp_path)
    with IdentityProvider().serving() as provider:
        configured = settings(tmp_path, auth_public_key_file=str(key_file), oidc_issuer_url=provider.url)
        async with open_authenticator(configured, city=city) as gate:
            for token in (mint("op-tinghu"), provider.token("op-tinghu")):
                assert (await gate.caller(request({"Authorization": f"Bearer {token}"}))).role == "operator"


async def test_a_service_with_no_issuer_configured_does_not_start(tmp_path: Path, city: City):
    with pytest.raises(ValueError, match="no token issuer is configured"):
        async with open_authenticator(settings(tmp_path), city=city):
            pass


async def test_a_public_key_file_that_is_missing_or_not_a_key_stops_the_start(tmp_path: Path, city: City):
    (tmp_path / "garbage.pem").write_text("not a key")
    for name in ("missing.pem", "garbage.pem"):
        with pytest.raises(KeyFileError, match=name):
            async with open_authenticator(
                settings(tmp_path, auth_public_key_file=str(tmp_path / name)), city=city
            ):
                pass


def test_several_public_key_files_are_separated_by_commas(tmp_path: Path):
    configured = settings(tmp_path, auth_public_key_file="/keys/old.pem, /keys/new.pem")
    assert configured.public_key_files == (Path("/keys/old.pem"), Path("/keys/new.pem"))


def test_more_than_five_seconds_of_leeway_is_refused(tmp_path: Path):
    with pytest.raises(ValidationError, match="auth_leeway_seconds"):
        settings(tmp_path, auth_leeway_seconds=30)


def test_a_plain_http_issuer_is_refused_in_production_unless_on_loopback():
    with pytest.raises(ValidationError, match="must be https"):
        AuthSettings(env="prod", oidc_issuer_url="http://idp.example.org/realms/yancheng")
    assert AuthSettings(env="prod", oidc_issuer_url="http://127.0.0.1:8080/realms/yancheng").oidc_issuer_url
    assert AuthSettings(env="prod", oidc_issuer_url="https://idp.example.org/realms/yancheng").oidc_issuer_url
    with pytest.raises(ValidationError, match="not an http"):
        AuthSettings(env="dev", oidc_issuer_url="ftp://idp.example.org")


def test_settings_come_from_the_stack_wide_or_the_services_own_variables(monkeypatch: pytest.MonkeyPatch):
    class HandlingLike(AuthSettings):
        model_config = SettingsConfigDict(env_prefix="GRIDLOOP_HANDLING_", extra="ignore")

    monkeypatch.setenv("GRIDLOOP_AUTH_PUBLIC_KEY_FILE", "/stack/console-public-key.pem")
    monkeypatch.setenv("GRIDLOOP_OIDC_ISSUER_URL", "https://idp.example.org/realms/stack")
    monkeypatch.setenv("GRIDLOOP_HANDLING_OIDC_ISSUER_URL", "https://idp.example.org/realms/handling")
    configured = HandlingLike()
    assert configured.public_key_files == (Path("/stack/console-public-key.pem"),)
    assert configured.oidc_issuer_url == "https://idp.example.org/realms/handling"
