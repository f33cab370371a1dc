"""Passwords: set from the command line for anyone, by a supervisor for people in their jurisdiction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.console import handlers
from services.console.domain import Forbidden, UnknownPerson, WeakPassword
from services.console.domain.passwords import password_problem
from shared.auth import Caller, authorize
from shared.auth.tokens import VerifiedToken
from shared.city import City
from tests.unit.console.fakes import MONDAY_MORNING, harness

GOOD = "a long enough password"


def caller(city: City, person_id: str) -> Caller:
    token = VerifiedToken("gridloop-console", person_id, datetime(2030, 1, 1, tzinfo=UTC), {"sub": person_id})
    return authorize(token, city.as_of(MONDAY_MORNING.date()))


async def test_the_command_line_sets_anyones_password_and_ends_their_sessions(city: City):
    h = harness(city)
    await handlers.set_password(h.console, by=None, person_id="w-tinghu-wenfeng-01", password=GOOD)
    credential = h.tables.credentials["w-tinghu-wenfeng-01"]
    assert (credential.password_hash, credential.set_by) == (f"hash:{GOOD}", "cli")
    signed_in = await handlers.sign_in(
        h.console, person_id="w-tinghu-wenfeng-01", password=GOOD, client_address=None, user_agent=None
    )
    assert (
        await handlers.set_password(h.console, by=None, person_id="w-tinghu-wenfeng-01", password=GOOD + "!")
        == 1
    )
    assert h.tables.sessions[signed_in.session_id].revoked_reason == "password_set"
    assert [a.action for a in h.tables.audit] == ["password_set", "signed_in", "password_set"]
    assert h.tables.audit[-1].details == {"sessions_revoked": 1}


@pytest.mark.parametrize(
    ("supervisor", "person_id"),
    [
        ("sv-tinghu", "w-tinghu-wenfeng-01"),  # a district supervisor, a grid worker of the district
        ("sv-tinghu", "op-tinghu"),  # the district's operator
        ("sv-tinghu", "sv-tinghu"),  # themselves
        ("sv-yancheng", "w-yandu-xindu-01"),  # the city's supervisor, anyone
    ],
)
async def test_a_supervisor_resets_the_password_of_people_in_their_jurisdiction(
    city: City, supervisor: str, person_id: str
):
    h = harness(city)
    await handlers.set_password(h.console, by=caller(city, supervisor), person_id=person_id, password=GOOD)
    assert h.tables.credentials[person_id].set_by == supervisor
    assert (h.tables.audit[-1].action, h.tables.audit[-1].actor_id) == ("password_reset", supervisor)


async def test_a_supervisor_may_not_reset_a_password_outside_their_district(city: City):
    h = harness(city)
    with pytest.raises(Forbidden, match="outside the jurisdiction of supervisor sv-tinghu"):
        await handlers.set_password(
            h.console, by=caller(city, "sv-tinghu"), person_id="w-yandu-xindu-01", password=GOOD
        )
    with pytest.raises(Forbidden):
        await handlers.set_password(
            h.console, by=caller(city, "sv-tinghu"), person_id="sv-yancheng", password=GOOD
        )
    assert h.tables.credentials == {}
    assert h.tables.audit == []


@pytest.mark.parametrize("person_id", ["w-tinghu-wenfeng-01", "nobody-at-all"])
async def test_only_supervisors_set_passwords_and_others_learn_nothing_of_who_exists(
    city: City, person_id: str
):
    h = harness(city)
    with pytest.raises(Forbidden, match="setting passwords is for: supervisor; not a operator"):
        await handlers.set_password(
            h.console, by=caller(city, "op-tinghu"), person_id=person_id, password=GOOD
        )


async def test_a_supervisor_setting_the_password_of_nobody_is_told_so(city: City):
    h = harness(city)
    with pytest.raises(UnknownPerson):
        await handlers.set_password(
            h.console, by=caller(city, "sv-yancheng"), person_id="nobody", password=GOOD
        )


async def test_a_person_who_left_gets_no_new_password(city: City):
    h = harness(city)
    with pytest.raises(UnknownPerson):
        await handlers.set_password(
            h.console, by=None, person_id="co-tinghu-wenfeng-yulong-former", password=GOOD
        )


async def test_a_weak_password_is_refused_and_nothing_is_stored(city: City):
    h = harness(city)
    with pytest.raises(WeakPassword, match="at least 10 characters"):
        await handlers.set_password(h.console, by=None, person_id="op-tinghu", password="short")
    assert h.tables.credentials == {}


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("123456789", "at least 10 characters"),
        ("x" * 257, "at most 256 characters"),
        ("OP-TINGHU ", "not the person id"),
        ("aaaaaaaaaaaabbbb", "4 different characters"),
        ("gridloop-demo", None),
        ("一二三四五六七八九十", None),
    ],
)
def test_password_rules(password: str, problem: str | None):
    found = password_problem("op-tinghu", password)
    assert (found is None) if problem is None else (found is not None and problem in found)
