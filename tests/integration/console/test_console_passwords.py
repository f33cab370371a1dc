"""A supervisor resets passwords in their jurisdiction through the console; the command line sets any."""

from __future__ import annotations

import pytest

from services.console.passwords import DEMO_PASSWORD, main, seed_demo
from tests.integration.console.conftest import PASSWORD, Console, StartConsole
from tests.integration.console.test_console_sessions import ME, signed_in
from tests.integration.console.test_console_sign_in import sign_in

NEW = "a brand new password"


def password_of(person_id: str) -> str:
    return f"/api/console/v1/people/{person_id}/password"


async def test_a_supervisor_resets_a_password_in_their_district_and_the_persons_sessions_end(
    console: Console,
):
    async with console.browser() as supervisor, console.browser("10.0.0.2") as worker:
        await signed_in(console, worker, "w-tinghu-wenfeng-01")
        await signed_in(console, supervisor, "sv-tinghu")
        reset = await supervisor.put(password_of("w-tinghu-wenfeng-01"), json={"password": NEW})
        assert reset.status_code == 204, reset.text
        assert (await worker.get(ME)).status_code == 401, "the worker's session ended with the old password"
        assert (await sign_in(worker, "w-tinghu-wenfeng-01", PASSWORD)).status_code == 401
        assert (await sign_in(worker, "w-tinghu-wenfeng-01", NEW)).status_code == 200
    (row,) = await console.rows(
        "select actor_id, details from {schema}.audit where action = 'password_reset' and subject_id = $1",
        "w-tinghu-wenfeng-01",
    )
    assert row["actor_id"] == "sv-tinghu"
    assert '"sessions_revoked": 1' in row["details"]
    (credential,) = await console.rows(
        "select set_by from {schema}.credentials where person_id = $1", "w-tinghu-wenfeng-01"
    )
    assert credential["set_by"] == "sv-tinghu"
    assert console.metric("gridloop_console_sessions_revoked_total", reason="password_set") == 1
    assert console.metric("gridloop_console_passwords_set_total") == 1


async def test_a_supervisor_may_not_reset_a_password_outside_their_district(console: Console):
    async with console.browser() as supervisor:
        await signed_in(console, supervisor, "sv-tinghu")
        refused = await supervisor.put(password_of("w-yandu-xindu-01"), json={"password": NEW})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert "outside the jurisdiction" in refused.json()["error"]["message"]
    assert await console.rows("select 1 from {schema}.credentials where person_id = 'w-yandu-xindu-01'") == []


@pytest.mark.parametrize("person_id", ["op-tinghu", "w-tinghu-wenfeng-01"])
async def test_no_one_but_a_supervisor_resets_passwords_not_even_in_their_own_unit(
    console: Console, person_id: str
):
    async with console.browser() as browser:
        await signed_in(console, browser, person_id)
        refused = await browser.put(password_of("w-tinghu-wenfeng-02"), json={"password": NEW})
        assert refused.status_code == 403
        assert (await browser.put(password_of("nobody"), json={"password": NEW})).status_code == 403


async def test_a_weak_password_is_refused_with_the_rule_it_breaks(console: Console):
    async with console.browser() as supervisor:
        await signed_in(console, supervisor, "sv-yancheng")
        weak = await supervisor.put(password_of("op-yandu"), json={"password": "short"})
        unknown = await supervisor.put(password_of("nobody"), json={"password": NEW})
    assert (weak.status_code, weak.json()["error"]["code"]) == (422, "weak_password")
    assert "at least 10 characters" in weak.json()["error"]["message"]
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")


async def test_resetting_without_signing_in_is_401(console: Console):
    async with console.browser() as browser:
        assert (await browser.put(password_of("op-yandu"), json={"password": NEW})).status_code == 401


async def test_seed_demo_gives_the_demo_password_to_everyone_without_one_and_keeps_the_others(
    console: Console,
):
    await console.set_password("op-tinghu")
    seeded = await seed_demo(console.settings)
    assert "op-tinghu" not in seeded
    assert {"sv-yancheng", "w-tinghu-wenfeng-01"} <= set(seeded)
    assert "co-tinghu-wenfeng-yulong-former" not in seeded, "only people in force today"
    assert await seed_demo(console.settings) == [], "a second run finds nobody without a password"
    async with console.browser() as browser:
        assert (await sign_in(browser, "sv-yancheng", DEMO_PASSWORD)).status_code == 200
        assert (await sign_in(browser, "op-tinghu", PASSWORD)).status_code == 200


async def test_a_cheap_demo_hash_is_made_again_at_full_cost_at_the_first_sign_in(start_console: StartConsole):
    console = await start_console(argon2_memory_kib=2048, argon2_time_cost=2)
    await seed_demo(console.settings)
    query = "select password_hash from {schema}.credentials where person_id = 'op-yandu'"
    (before,) = await console.rows(query)
    assert "$m=1024,t=1,p=1$" in before["password_hash"]
    async with console.browser() as browser:
        assert (await sign_in(browser, "op-yandu", DEMO_PASSWORD)).status_code == 200
    (after,) = await console.rows(query)
    assert "$m=2048,t=2,p=1$" in after["password_hash"]
    async with console.browser() as browser:
        assert (await sign_in(browser, "op-yandu", DEMO_PASSWORD)).status_code == 200


def test_seed_demo_refuses_outside_development(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("GRIDLOOP_ENV", "prod")
    monkeypatch.setenv("GRIDLOOP_CONSOLE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["seed-demo"]) == 2
    assert "refused with GRIDLOOP_ENV=prod" in capsys.readouterr().err


async def test_the_command_line_sets_a_password_read_from_stdin(console: Console, monkeypatch, capsys):
    import io

    for name, value in {
        "GRIDLOOP_ENV": "test",
        "GRIDLOOP_CONSOLE_DATABASE_URL": console.settings.database_url.get_secret_value(),
        "GRIDLOOP_CONSOLE_DB_SCHEMA": console.settings.db_schema,
        "GRIDLOOP_CONSOLE_ARGON2_TIME_COST": "1",
        "GRIDLOOP_CONSOLE_ARGON2_MEMORY_KIB": "1024",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW + "\n"))
    # main() runs its own event loop: give it a thread of its own.
    import asyncio

    assert await asyncio.to_thread(main, ["set", "op-yandu"]) == 0
    assert "password set for op-yandu" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert await asyncio.to_thread(main, ["set", "op-yandu"]) == 1
    async with console.browser() as browser:
        assert (await sign_in(browser, "op-yandu", NEW)).status_code == 200
