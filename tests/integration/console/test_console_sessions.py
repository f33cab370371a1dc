"""A session over its life: refresh rotates the refresh cookie, reusing an old one revokes the session,
signing out revokes it and clears the cookies."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.integration.console.conftest import PASSWORD, Console
from tests.integration.console.test_console_sign_in import SESSION, set_cookies, sign_in

REFRESH = f"{SESSION}/refresh"
ME = "/api/console/v1/me"


async def signed_in(console: Console, browser: httpx.AsyncClient, person_id: str = "op-tinghu") -> None:
    await console.set_password(person_id)
    assert (await sign_in(browser, person_id, PASSWORD)).status_code == 200


async def test_a_refresh_rotates_both_cookies(console: Console):
    async with console.browser() as browser:
        await signed_in(console, browser)
        before = dict(browser.cookies)
        console.clock.advance(minutes=4)
        refreshed = await browser.post(REFRESH)
        assert refreshed.status_code == 200
        assert refreshed.json()["person_id"] == "op-tinghu"
        cookies = set_cookies(refreshed)
        assert set(cookies) == {"gridloop_access", "gridloop_refresh"}
        assert browser.cookies["gridloop_refresh"] != before["gridloop_refresh"]
        assert browser.cookies["gridloop_access"] != before["gridloop_access"]
        assert (await browser.get(ME)).status_code == 200
    (session,) = await console.rows("select generation, revoked_at from {schema}.sessions")
    assert (session["generation"], session["revoked_at"]) == (2, None)
    assert console.metric("gridloop_console_sessions_refreshed_total") == 1


async def test_reusing_an_old_refresh_cookie_revokes_the_session_for_everyone_holding_it(console: Console):
    async with console.browser() as owner:
        await signed_in(console, owner)
        stolen = owner.cookies["gridloop_refresh"]
        assert (await owner.post(REFRESH)).status_code == 200
        console.clock.advance(seconds=30)
        async with console.browser("198.51.100.66") as thief:
            thief.cookies.set(
                "gridloop_refresh", stolen, domain="console.gridloop.test", path=REFRESH.rsplit("/", 1)[0]
            )
            replayed = await thief.post(REFRESH)
        assert replayed.status_code == 401
        assert replayed.json()["error"]["code"] == "session_ended"
        assert (await owner.get(ME)).status_code == 401, "the owner's access cookie dies with the session"
        assert (await owner.post(REFRESH)).status_code == 401, "and so does the owner's newer refresh cookie"
    (session,) = await console.rows("select revoked_reason from {schema}.sessions")
    assert session["revoked_reason"] == "refresh_reused"
    assert console.metric("gridloop_console_sessions_revoked_total", reason="refresh_reused") == 1
    (audit,) = await console.rows("select details from {schema}.audit where action = 'session_revoked'")
    assert '"refresh_reused"' in audit["details"]


async def test_two_tabs_refreshing_at_once_both_carry_on(console: Console):
    async with console.browser() as tab:
        await signed_in(console, tab)
        shared = tab.cookies["gridloop_refresh"]
        assert (await tab.post(REFRESH)).status_code == 200
        console.clock.advance(seconds=2)
        other_tab = await tab.post(REFRESH, headers={"Cookie": f"gridloop_refresh={shared}"})
        assert other_tab.status_code == 200
        assert "set-cookie" not in other_tab.headers, "the browser has the new cookies already"
        assert (await tab.get(ME)).status_code == 200
    (session,) = await console.rows("select revoked_at from {schema}.sessions")
    assert session["revoked_at"] is None


async def test_signing_out_revokes_the_session_and_clears_the_cookies(console: Console):
    async with console.browser() as browser:
        await signed_in(console, browser)
        access, refresh = browser.cookies["gridloop_access"], browser.cookies["gridloop_refresh"]
        out = await browser.delete(SESSION)
        assert out.status_code == 204
        cleared = set_cookies(out)
        assert cleared["gridloop_access"]["gridloop_access"]["max-age"] == "0"
        assert cleared["gridloop_access"]["gridloop_access"]["path"] == "/api"
        assert cleared["gridloop_refresh"]["gridloop_refresh"]["path"] == "/api/console/v1/session"
        assert "gridloop_access" not in browser.cookies
        # Tokens kept from before signing out are worth nothing to the console now.
        assert (await browser.get(ME, headers={"Authorization": f"Bearer {access}"})).status_code == 401
        assert (
            await browser.post(REFRESH, headers={"Cookie": f"gridloop_refresh={refresh}"})
        ).status_code == 401
        assert (await browser.delete(SESSION)).status_code == 204, "signing out twice is fine"
    (session,) = await console.rows("select revoked_reason from {schema}.sessions")
    assert session["revoked_reason"] == "signed_out"
    actions = [r["action"] for r in await console.rows("select action from {schema}.audit order by id")]
    assert actions == ["password_set", "signed_in", "signed_out"]
    assert console.metric("gridloop_console_sessions_revoked_total", reason="signed_out") == 1


async def test_a_refresh_cookie_unused_for_twelve_hours_has_expired(console: Console):
    async with console.browser() as browser:
        await signed_in(console, browser)
        refresh = browser.cookies["gridloop_refresh"]
        console.clock.advance(hours=12, seconds=1)
        late = await browser.post(REFRESH, headers={"Cookie": f"gridloop_refresh={refresh}"})
        assert late.status_code == 401
        assert (await browser.post(REFRESH)).status_code == 401, "no cookie at all"


async def test_me_without_a_session_is_401(console: Console):
    async with console.browser() as browser:
        response = await browser.get(ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_the_audit_trail_cannot_be_changed(console: Console):
    async with console.browser() as browser:
        await signed_in(console, browser)
    for statement in (
        "update {schema}.audit set action = 'x'",
        "delete from {schema}.audit",
        "truncate {schema}.audit",
    ):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await console.rows(statement)
