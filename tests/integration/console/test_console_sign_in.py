"""Signing in through the gateway's path: cookies as a browser gets them, one answer for every wrong
attempt, and failures slowed down across console instances."""

from __future__ import annotations

import asyncio
import socket
from http.cookies import SimpleCookie

import httpx
import uvicorn

from services.console.main import server_config
from shared.auth import ACCESS_COOKIE, Authenticator, LocalIssuer, TokenVerifier, load_public_key
from shared.city import load_city
from shared.settings import REPO_ROOT
from tests.integration.console.conftest import PASSWORD, Console, StartConsole

SESSION = "/api/console/v1/session"


def set_cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        (name,) = cookie.keys()
        cookies[name] = cookie
    return cookies


async def sign_in(browser: httpx.AsyncClient, person_id: str, password: str = PASSWORD) -> httpx.Response:
    return await browser.post(SESSION, json={"person_id": person_id, "password": password})


async def test_signing_in_answers_who_you_are_and_sets_both_cookies_as_a_browser_must_keep_them(
    console: Console,
):
    await console.set_password("op-tinghu")
    async with console.browser() as browser:
        response = await sign_in(browser, "op-tinghu")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "person_id": "op-tinghu",
            "name": "姜磊",
            "role": "operator",
            "unit_id": "d-tinghu",
            "unit_name": "亭湖区",
            "unit_name_en": "Tinghu",
            "jurisdiction": {"level": "district", "unit_id": "d-tinghu"},
            "city_wide": False,
        }
        assert response.headers["cache-control"] == "no-store"
        cookies = set_cookies(response)
        access, refresh = (
            cookies["gridloop_access"]["gridloop_access"],
            cookies["gridloop_refresh"]["gridloop_refresh"],
        )
        for cookie in (access, refresh):
            assert cookie["httponly"] is True
            assert cookie["secure"] is True
            assert cookie["samesite"].lower() == "strict"
        assert (access["path"], access["max-age"]) == ("/api", "300")
        assert (refresh["path"], refresh["max-age"]) == ("/api/console/v1/session", str(12 * 3600))

        me = await browser.get("/api/console/v1/me")
        assert me.status_code == 200
        assert me.json()["person_id"] == "op-tinghu"
    assert console.metric("gridloop_console_sign_ins_total", outcome="signed_in") == 1


async def test_the_access_cookie_is_a_token_every_service_checks_with_the_public_key(
    console: Console, key_files
):
    await console.set_password("sv-yancheng")
    async with console.browser() as browser:
        token = (await sign_in(browser, "sv-yancheng")).cookies[ACCESS_COOKIE]
    public_key = load_public_key(key_files[1])
    gate = Authenticator(
        TokenVerifier([LocalIssuer([public_key])], clock=console.clock), load_city(REPO_ROOT / "city")
    )
    caller = await gate.authenticate(token)
    assert (caller.person_id, caller.role, caller.city_wide) == ("sv-yancheng", "supervisor", True)
    assert caller.session_id is not None


async def test_a_wrong_password_an_unknown_person_and_no_password_get_the_same_401(console: Console):
    await console.set_password("op-tinghu")
    async with console.browser() as browser:
        answers = [
            await sign_in(browser, "op-tinghu", "not the password"),
            await sign_in(browser, "nobody-at-all"),
            await sign_in(browser, "op-yandu"),  # in the registry, no password yet
        ]
    for answer in answers:
        assert answer.status_code == 401
        assert answer.json() == {
            "error": {"code": "bad_credentials", "message": "the person id or the password is wrong"}
        }
        assert "set-cookie" not in answer.headers
    failed = await console.rows(
        "select subject_id from {schema}.audit where action = 'sign_in_failed' order by id"
    )
    assert [row["subject_id"] for row in failed] == ["op-tinghu", "nobody-at-all", "op-yandu"]


async def test_after_five_failures_sign_in_is_slowed_down_with_retry_after(console: Console):
    await console.set_password("op-tinghu")
    async with console.browser() as browser:
        for _ in range(5):
            assert (await sign_in(browser, "op-tinghu", "not the password")).status_code == 401
        slowed = await sign_in(browser, "op-tinghu")
        assert slowed.status_code == 429
        assert slowed.headers["retry-after"] == "1"
        assert slowed.json()["error"]["code"] == "slowed_down"
        console.clock.advance(seconds=1)
        assert (await sign_in(browser, "op-tinghu")).status_code == 200
    assert console.metric("gridloop_console_sign_ins_total", outcome="slowed_down") == 1
    assert console.metric("gridloop_console_sign_ins_total", outcome="bad_credentials") == 5


async def test_a_second_console_instance_counts_the_same_failures(start_console: StartConsole):
    first = await start_console()
    second = await start_console(schema=first.settings.db_schema)
    await first.set_password("op-tinghu")
    async with first.browser() as one, second.browser() as other:
        for _ in range(5):
            assert (await sign_in(one, "op-tinghu", "not the password")).status_code == 401
        assert (await sign_in(other, "op-tinghu")).status_code == 429


async def test_failures_from_one_address_slow_down_others_signing_in_from_it_but_not_elsewhere(
    console: Console,
):
    await console.set_password("op-yandu")
    async with console.browser("198.51.100.7") as attacker, console.browser("10.9.9.9") as colleague:
        for attempt in range(20):
            assert (await sign_in(attacker, f"guess-{attempt}", "not the password")).status_code == 401
        assert (await sign_in(attacker, "op-yandu")).status_code == 429
        assert (await sign_in(colleague, "op-yandu")).status_code == 200


async def test_the_client_address_is_the_one_the_gateway_forwards(start_console: StartConsole):
    """Served as ``python -m services.console`` serves it, on a loopback port: a request from the gateway
    (127.0.0.1, a trusted proxy) is counted and audited for the client X-Forwarded-For names."""
    console = await start_console(port=_free_port(), forwarded_allow_ips="127.0.0.1")
    await console.set_password("op-tinghu")
    server = uvicorn.Server(server_config(console.settings, console.app))
    server.config.lifespan = "off"  # the fixture runs the app's lifespan
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn offers no event to wait on
            if server.started:
                break
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{console.settings.port}") as gateway:
            forwarded = await gateway.post(
                "/v1/session",
                json={"person_id": "op-tinghu", "password": PASSWORD},
                headers={"X-Forwarded-For": "203.0.113.50"},
            )
            assert forwarded.status_code == 200
    finally:
        server.should_exit = True
        await serving
    (row,) = await console.rows("select client_address from {schema}.audit where action = 'signed_in'")
    assert row["client_address"] == "203.0.113.50"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
