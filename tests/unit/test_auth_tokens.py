"""Access tokens of the console's own issuer: what the verifier accepts, and everything it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.auth import (
    AUDIENCE,
    LOCAL_ISSUER,
    InvalidToken,
    LocalIssuer,
    TokenVerifier,
    key_id,
    sign_access_token,
)
from shared.auth.keys import public_pem
from tests.builders.tokens import forged, mint, signing_key

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def verifier(
    *, leeway: float = 5, now: datetime = NOW, keys: tuple[str, ...] = ("console",)
) -> TokenVerifier:
    issuer = LocalIssuer([signing_key(name).public_key() for name in keys])
    return TokenVerifier([issuer], leeway_seconds=leeway, clock=lambda: now)


async def test_a_token_the_console_signed_names_its_person_and_session():
    token = sign_access_token(
        key=signing_key(), person_id="sv-yancheng", session_id="s-1", now=NOW, lifetime=timedelta(minutes=5)
    )
    verified = await verifier().verify(token)
    assert (verified.issuer, verified.person_id, verified.session_id) == (LOCAL_ISSUER, "sv-yancheng", "s-1")
    assert verified.expires_at == NOW + timedelta(minutes=5)
    assert verified.claims["aud"] == AUDIENCE
    assert {"role", "unit_id"}.isdisjoint(verified.claims), "what a person may do is not the token's to say"


async def test_a_token_signed_by_another_key_with_the_consoles_key_id_is_refused():
    impostor = mint(
        "sv-yancheng", key=signing_key("impostor"), now=NOW, kid=key_id(signing_key().public_key())
    )
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        await verifier().verify(impostor)


async def test_a_token_with_a_key_id_the_issuer_does_not_have_is_refused():
    with pytest.raises(InvalidToken, match="key id"):
        await verifier().verify(mint("sv-yancheng", key=signing_key("retired"), now=NOW))


async def test_while_a_key_is_rotated_tokens_of_the_old_and_the_new_key_are_accepted():
    both = verifier(keys=("console", "console-next"))
    for name in ("console", "console-next"):
        assert (await both.verify(mint("op-tinghu", key=signing_key(name), now=NOW))).person_id == "op-tinghu"


async def test_a_token_without_a_key_id_is_checked_against_the_only_key():
    assert (await verifier().verify(mint("op-tinghu", now=NOW, kid=None))).person_id == "op-tinghu"
    with pytest.raises(InvalidToken, match="key id"):
        await verifier(keys=("console", "console-next")).verify(mint("op-tinghu", now=NOW, kid=None))


async def test_a_tampered_payload_is_refused():
    header, _, signature = mint("w-tinghu-wenfeng-01", now=NOW).split(".")
    other_payload = mint("sv-yancheng", now=NOW).split(".")[1]
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        await verifier().verify(f"{header}.{other_payload}.{signature}")


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"audience": "another-app"}, "not meant for 'gridloop'"),
        ({"audience": None}, "aud"),
        ({"issuer": "someone-else"}, "issuer 'someone-else' is not one we accept"),
        ({"issuer": None}, "names no issuer"),
        ({"exp": None}, "exp"),
    ],
)
async def test_a_token_for_another_audience_from_another_issuer_or_missing_a_claim_is_refused(
    overrides: dict[str, Any], problem: str
):
    with pytest.raises(InvalidToken, match=problem):
        await verifier().verify(mint("sv-yancheng", now=NOW, **overrides))


async def test_a_token_naming_nobody_is_refused():
    with pytest.raises(InvalidToken, match="sub"):
        await verifier().verify(mint(None, now=NOW))
    with pytest.raises(InvalidToken, match="names no person"):
        await verifier().verify(mint("", now=NOW))


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
async def test_unsigned_and_hmac_tokens_are_refused_even_keyed_with_the_public_key(algorithm: str):
    claims = {"iss": LOCAL_ISSUER, "aud": AUDIENCE, "sub": "sv-yancheng", "exp": int(NOW.timestamp()) + 300}
    # HS256 with the public key as the secret: a verifier that let the header pick the algorithm would
    # check this HMAC with the very key it holds, and accept it.
    token = forged(algorithm, claims, secret=public_pem(signing_key().public_key()))
    with pytest.raises(InvalidToken, match=f"must be signed with RS256, not '{algorithm}'"):
        await verifier().verify(token)


async def test_an_expired_token_is_refused():
    with pytest.raises(InvalidToken, match="expired"):
        await verifier().verify(mint("sv-yancheng", now=NOW - timedelta(minutes=6)))


@pytest.mark.parametrize(
    ("leeway", "late", "accepted"), [(5, 0, True), (5, 4, True), (5, 5, False), (5, 6, False), (0, 0, False)]
)
async def test_a_token_just_past_its_expiry_is_accepted_within_the_leeway_only(
    leeway: int, late: int, accepted: bool
):
    """The verifier's clock reads ``late`` seconds past the token's expiry."""
    token = mint("sv-yancheng", now=NOW - timedelta(minutes=5))  # expires at NOW
    check = verifier(leeway=leeway, now=NOW + timedelta(seconds=late)).verify(token)
    if accepted:
        assert (await check).person_id == "sv-yancheng"
    else:
        with pytest.raises(InvalidToken, match="expired"):
            await check


@pytest.mark.parametrize(("ahead", "accepted"), [(3, True), (5, True), (6, False), (60, False)])
async def test_a_token_issued_by_a_clock_running_ahead_is_accepted_within_the_leeway_only(
    ahead: int, accepted: bool
):
    token = mint("sv-yancheng", now=NOW + timedelta(seconds=ahead))
    check = verifier(leeway=5).verify(token)
    if accepted:
        assert (await check).person_id == "sv-yancheng"
    else:
        with pytest.raises(InvalidToken, match="issued in the future"):
            await check


async def test_a_token_not_valid_yet_is_refused_beyond_the_leeway():
    with pytest.raises(InvalidToken, match="not valid yet"):
        await verifier().verify(mint("sv-yancheng", now=NOW, nbf=int(NOW.timestamp()) + 30))
    assert (await verifier().verify(mint("sv-yancheng", now=NOW, nbf=int(NOW.timestamp()) + 2))).person_id


def test_a_leeway_of_more_than_five_seconds_is_refused():
    with pytest.raises(ValueError, match="0 to 5 seconds"):
        verifier(leeway=30)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "x" * 9000])
async def test_garbage_is_refused_as_an_invalid_token(token: str):
    with pytest.raises(InvalidToken):
        await verifier().verify(token)
