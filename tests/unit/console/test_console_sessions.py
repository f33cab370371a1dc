"""Keeping a session going: refresh tokens rotate, a reused one revokes the session, sign-out ends it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.console import handlers
from services.console.domain import SessionEnded
from services.console.domain.sessions import RevokedBecause
from services.console.handlers import SignedIn
from services.console.ports import Credential
from shared.city import City
from tests.unit.console.fakes import MONDAY_MORNING, Harness, harness

PASSWORD = "correct horse battery"


async def signed_in(
    city: City, person_id: str = "op-tinghu", now: datetime = MONDAY_MORNING
) -> tuple[Harness, SignedIn]:
    h = harness(city, now)
    h.tables.credentials[person_id] = Credential(person_id, f"hash:{PASSWORD}", now, "cli")
    session = await handlers.sign_in(
        h.console, person_id=person_id, password=PASSWORD, client_address="10.0.0.1", user_agent=None
    )
    return h, session


async def refresh(h: Harness, token: str | None) -> SignedIn:
    assert token is not None
    return await handlers.refresh(h.console, refresh_token=token, client_address="10.0.0.1")


async def test_a_refresh_gives_new_tokens_and_the_old_refresh_token_is_superseded(city: City):
    h, first = await signed_in(city)
    h.clock.advance(minutes=4)
    second = await refresh(h, first.refresh_token)
    assert second.session_id == first.session_id
    assert second.access_token != first.access_token
    assert second.refresh_token not in (None, first.refresh_token)
    assert h.tables.sessions[first.session_id].generation == 2
    h.clock.advance(minutes=4)
    third = await refresh(h, second.refresh_token)
    assert h.tables.sessions[first.session_id].generation == 3
    assert third.refresh_expires_at == h.clock.now + h.console.sessions.refresh_lifetime


async def test_reusing_a_superseded_refresh_token_revokes_the_whole_session(city: City):
    h, first = await signed_in(city)
    second = await refresh(h, first.refresh_token)
    h.clock.advance(seconds=11)  # past the grace for racing tabs
    with pytest.raises(SessionEnded) as reused:
        await refresh(h, first.refresh_token)
    assert reused.value.revoked_because is RevokedBecause.REFRESH_REUSED
    session = h.tables.sessions[first.session_id]
    assert session.revoked_reason == "refresh_reused"
    assert h.tables.audit[-1].action == "session_revoked"
    with pytest.raises(SessionEnded) as after:
        await refresh(h, second.refresh_token)
    assert after.value.revoked_because is None, "the thief's (or the owner's) newer token is dead too"


async def test_a_second_tab_refreshing_at_the_same_moment_carries_on_without_new_tokens(city: City):
    h, first = await signed_in(city)
    await refresh(h, first.refresh_token)
    h.clock.advance(seconds=3)
    raced = await refresh(h, first.refresh_token)
    assert (raced.access_token, raced.refresh_token) == (None, None)
    assert raced.person.person_id == "op-tinghu"
    assert h.tables.sessions[first.session_id].revoked_at is None


async def test_an_older_token_than_the_last_one_is_a_reuse_even_within_the_grace(city: City):
    h, first = await signed_in(city)
    second = await refresh(h, first.refresh_token)
    await refresh(h, second.refresh_token)
    with pytest.raises(SessionEnded):
        await refresh(h, first.refresh_token)
    assert h.tables.sessions[first.session_id].revoked_reason == "refresh_reused"


async def test_an_unused_refresh_token_expires_after_twelve_hours(city: City):
    h, first = await signed_in(city)
    h.clock.advance(hours=12)
    with pytest.raises(SessionEnded):
        await refresh(h, first.refresh_token)
    assert h.tables.sessions[first.session_id].revoked_at is None, "expired, not revoked"


async def test_no_session_outlives_its_maximum_however_often_refreshed(city: City):
    h, session = await signed_in(city)
    end = MONDAY_MORNING + h.console.sessions.session_lifetime
    token, expires = session.refresh_token, session.refresh_expires_at
    while h.clock.now + h.console.sessions.refresh_lifetime < end:
        h.clock.advance(hours=11)
        refreshed = await refresh(h, token)
        token, expires = refreshed.refresh_token, refreshed.refresh_expires_at
    assert expires == end, "the last refresh token expires with its session, not 12 h later"
    h.clock.now = end
    with pytest.raises(SessionEnded):
        await refresh(h, token)


async def test_an_unknown_refresh_token_ends_nothing_and_is_refused(city: City):
    h, _ = await signed_in(city)
    with pytest.raises(SessionEnded, match="sign in again"):
        await refresh(h, "made-up")


async def test_a_person_who_left_the_registry_has_their_session_revoked_at_the_next_refresh(city: City):
    """co-tinghu-wenfeng-yulong-former's last day is 2024-12-30."""
    h, session = await signed_in(
        city, "co-tinghu-wenfeng-yulong-former", datetime(2024, 12, 30, 14, 0, tzinfo=UTC)
    )
    h.clock.now = datetime(2024, 12, 30, 16, 30, tzinfo=UTC)  # 00:30 on the 31st in Yancheng
    with pytest.raises(SessionEnded) as ended:
        await refresh(h, session.refresh_token)
    assert ended.value.revoked_because is RevokedBecause.LEFT_REGISTRY


async def test_signing_out_revokes_the_session_and_its_refresh_token(city: City):
    h, session = await signed_in(city)
    assert await handlers.sign_out(
        h.console, session_id=session.session_id, refresh_token=None, client_address=None
    )
    assert h.tables.sessions[session.session_id].revoked_reason == "signed_out"
    assert h.tables.audit[-1].action == "signed_out"
    with pytest.raises(SessionEnded):
        await refresh(h, session.refresh_token)
    assert not await handlers.sign_out(
        h.console, session_id=session.session_id, refresh_token=None, client_address=None
    )


async def test_signing_out_with_the_refresh_token_alone_finds_its_session(city: City):
    h, session = await signed_in(city)
    assert await handlers.sign_out(
        h.console, session_id=None, refresh_token=session.refresh_token, client_address=None
    )
    assert h.tables.sessions[session.session_id].revoked_at is not None


async def test_signing_out_with_nothing_is_nothing(city: City):
    h, _ = await signed_in(city)
    assert not await handlers.sign_out(h.console, session_id=None, refresh_token=None, client_address=None)
    assert not await handlers.sign_out(
        h.console, session_id=None, refresh_token="made-up", client_address=None
    )
