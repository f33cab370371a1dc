"""Bearer tokens: what handling accepts as a person, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.handling.api.auth import InvalidToken, decode_token, encode_token
from shared.city import load_city
from shared.settings import REPO_ROOT
from tools.token import mint_token

SECRET = "unit-test-secret-that-is-long-enough-0123"


def token(**overrides: object) -> str:
    claims: dict[str, object] = {"sub": "w-001", "role": "grid_worker", "unit_id": "g-01"}
    claims |= {"exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())}
    claims |= overrides
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, SECRET, algorithm="HS256")


def test_a_valid_token_names_the_person_their_role_and_unit():
    principal = decode_token(token(), SECRET)
    assert (principal.person_id, principal.role, principal.unit_id) == ("w-001", "grid_worker", "g-01")


def test_an_expired_token_is_refused_as_expired():
    past = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    with pytest.raises(InvalidToken, match="expired"):
        decode_token(token(exp=past), SECRET)


def test_a_token_signed_with_another_secret_is_refused():
    forged = jwt.encode(
        {"sub": "w-001", "role": "operator", "unit_id": "yancheng", "exp": 2_000_000_000},
        "someone-elses-secret-that-is-long-enough",
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken):
        decode_token(forged, SECRET)


@pytest.mark.parametrize("missing", ["sub", "role", "unit_id", "exp"])
def test_a_token_missing_a_required_claim_is_refused(missing):
    with pytest.raises(InvalidToken):
        decode_token(token(**{missing: None}), SECRET)


def test_an_unsigned_token_is_refused():
    unsigned = jwt.encode({"sub": "w-001", "role": "r", "unit_id": "u", "exp": 2_000_000_000}, "", "none")
    with pytest.raises(InvalidToken):
        decode_token(unsigned, SECRET)


def test_garbage_is_refused():
    with pytest.raises(InvalidToken):
        decode_token("not.a.jwt", SECRET)


def test_encode_and_decode_agree():
    minted = encode_token(
        person_id="c-9", role="grid_chief", unit_id="g-9", secret=SECRET, lifetime=timedelta(minutes=1)
    )
    assert decode_token(minted, SECRET).person_id == "c-9"


def test_mint_token_gives_a_city_person_their_own_role_and_unit():
    city = load_city(REPO_ROOT / "city")
    person = city.people[0]
    principal = decode_token(mint_token(person, SECRET, minutes=5), SECRET)
    assert (principal.person_id, principal.role, principal.unit_id) == (
        person.person_id,
        person.role,
        person.unit_id,
    )
