"""Signing in: the right password opens a session; anything wrong gets one answer; failures slow down."""

from __future__ import annotations

import pytest

from services.console import handlers
from services.console.credentials import refresh_token_hash
from services.console.domain import BadCredentials, SlowedDown
from services.console.domain.throttle import Failures
from services.console.ports import Credential
from shared.city import City
from tests.unit.console.fakes import DUMMY_HASH, MONDAY_MORNING, Harness, harness

PASSWORD = "correct horse battery"


def with_password(city: City, *people: str) -> Harness:
    h = harness(city)
    for person_id in people:
        h.tables.credentials[person_id] = Credential(person_id, f"hash:{PASSWORD}", MONDAY_MORNING, "cli")
    return h


async def sign_in(h: Harness, person_id: str, password: str = PASSWORD, address: str | None = "10.0.0.1"):
    return await handlers.sign_in(
        h.console, person_id=person_id, password=password, client_address=address, user_agent="test"
    )


async def test_the_right_password_opens_a_session_with_both_tokens(city: City):
    h = with_password(city, "op-tinghu")
    signed_in = await sign_in(h, "op-tinghu")
    assert signed_in.person.role == "operator"
    assert signed_in.access_token is not None
    assert signed_in.access_token.startswith("access:op-tinghu:")
    assert signed_in.refresh_token is not None
    session = h.tables.sessions[signed_in.session_id]
    assert (session.person_id, session.generation, session.revoked_at) == ("op-tinghu", 1, None)
    token = h.tables.tokens[refresh_token_hash(signed_in.refresh_token)]
    assert token.expires_at == MONDAY_MORNING + h.console.sessions.refresh_lifetime
    assert [(a.action, a.actor_id, a.session_id) for a in h.tables.audit] == [
        ("signed_in", "op-tinghu", signed_in.session_id)
    ]
    assert h.tables.failures == {}, "a success leaves nothing counted against the person or the address"


async def test_the_stored_refresh_token_is_only_its_hash(city: City):
    h = with_password(city, "op-tinghu")
    signed_in = await sign_in(h, "op-tinghu")
    assert signed_in.refresh_token is not None
    assert all(signed_in.refresh_token.encode() not in key for key in h.tables.tokens)


@pytest.mark.parametrize(
    ("person_id", "password"),
    [
        ("op-tinghu", "wrong password!"),  # a wrong password
        ("nobody-at-all", PASSWORD),  # nobody of that id
        ("sv-tinghu", PASSWORD),  # in the registry, but no password set
        ("co-tinghu-wenfeng-yulong-former", PASSWORD),  # left the registry on 2024-12-31
    ],
)
async def test_whatever_is_wrong_the_answer_is_the_same(city: City, person_id: str, password: str):
    h = with_password(city, "op-tinghu", "co-tinghu-wenfeng-yulong-former")
    with pytest.raises(BadCredentials, match="the person id or the password is wrong"):
        await sign_in(h, person_id, password)
    assert h.tables.sessions == {}
    assert [(a.action, a.subject_id) for a in h.tables.audit] == [("sign_in_failed", person_id)]


async def test_someone_without_a_password_costs_a_password_check_all_the_same(city: City):
    h = with_password(city)
    with pytest.raises(BadCredentials):
        await sign_in(h, "sv-tinghu")
    assert h.hasher.checked == [DUMMY_HASH], "the time taken does not tell who has a password"


async def test_after_five_failures_each_attempt_waits_twice_as_long(city: City):
    h = with_password(city, "op-tinghu")
    for _ in range(5):
        with pytest.raises(BadCredentials):
            await sign_in(h, "op-tinghu", "wrong password!")
    with pytest.raises(SlowedDown) as first:
        await sign_in(h, "op-tinghu")
    assert first.value.retry_after_seconds == 1
    h.clock.advance(seconds=1)
    with pytest.raises(BadCredentials):
        await sign_in(h, "op-tinghu", "wrong password!")
    with pytest.raises(SlowedDown) as second:
        await sign_in(h, "op-tinghu")
    assert second.value.retry_after_seconds == 2
    h.clock.advance(seconds=2)
    assert (await sign_in(h, "op-tinghu")).person.person_id == "op-tinghu"


async def test_a_slowed_down_attempt_is_not_even_checked(city: City):
    h = with_password(city, "op-tinghu")
    h.tables.failures[("person", "op-tinghu")] = Failures(5, MONDAY_MORNING)
    with pytest.raises(SlowedDown):
        await sign_in(h, "op-tinghu")
    assert h.hasher.checked == []
    assert h.tables.failures[("person", "op-tinghu")] == Failures(5, MONDAY_MORNING), "nor counted"


async def test_the_wait_is_capped_at_fifteen_minutes(city: City):
    h = with_password(city, "op-tinghu")
    h.tables.failures[("person", "op-tinghu")] = Failures(40, MONDAY_MORNING)
    with pytest.raises(SlowedDown) as slowed:
        await sign_in(h, "op-tinghu")
    assert slowed.value.retry_after_seconds == 15 * 60


async def test_failures_are_forgotten_after_a_quiet_hour(city: City):
    h = with_password(city, "op-tinghu")
    h.tables.failures[("person", "op-tinghu")] = Failures(12, MONDAY_MORNING)
    h.clock.advance(hours=1)
    assert (await sign_in(h, "op-tinghu")).person.person_id == "op-tinghu"


async def test_many_failures_from_one_address_slow_down_every_person_signing_in_from_it(city: City):
    h = with_password(city, "op-tinghu", "op-yandu")
    for attempt in range(20):
        with pytest.raises(BadCredentials):
            await sign_in(h, f"guess-{attempt}", "wrong password!", address="203.0.113.9")
    with pytest.raises(SlowedDown):
        await sign_in(h, "op-yandu", address="203.0.113.9")
    assert (await sign_in(h, "op-yandu", address="10.0.0.7")).person.person_id == "op-yandu"


async def test_a_success_takes_back_its_own_count_of_the_address_but_not_the_others(city: City):
    h = with_password(city, "op-tinghu")
    for attempt in range(3):
        with pytest.raises(BadCredentials):
            await sign_in(h, f"guess-{attempt}", "wrong password!", address="10.0.0.1")
    await sign_in(h, "op-tinghu", address="10.0.0.1")
    assert h.tables.failures[("address", "10.0.0.1")].count == 3


async def test_a_failure_is_counted_before_the_password_is_checked(city: City):
    """Attempts sent in parallel each see the ones before them: none slips through uncounted."""
    h = with_password(city, "op-tinghu")
    seen: list[int] = []
    checking = h.hasher.verify

    async def verify(password_hash: str, password: str) -> bool:
        seen.append(h.tables.failures[("person", "op-tinghu")].count)
        return await checking(password_hash, password)

    h.hasher.verify = verify  # type: ignore[method-assign]
    with pytest.raises(BadCredentials):
        await sign_in(h, "op-tinghu", "wrong password!")
    assert seen == [1]
