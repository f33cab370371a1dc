"""A token names a person; what they may do comes from the registry in force that day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.auth import (
    Authenticator,
    Jurisdiction,
    LocalIssuer,
    RefusedByRegistry,
    TokenVerifier,
    VerifiedToken,
    authorize,
    covers,
)
from shared.city import City, enclosing_units, load_city
from shared.settings import REPO_ROOT
from tests.builders.tokens import mint, signing_key


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(REPO_ROOT / "city", on=date(2025, 6, 2))


def token(person_id: str, **claims: object) -> VerifiedToken:
    return VerifiedToken(
        issuer="gridloop-console",
        person_id=person_id,
        expires_at=datetime(2025, 6, 2, 9, 5, tzinfo=UTC),
        claims={"sub": person_id, "sid": "s-1", **claims},
    )


def at_noon(day: date) -> datetime:
    """Noon in Yancheng, as UTC."""
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("person_id", "role", "level", "unit_id", "city_wide"),
    [
        ("w-tinghu-wenfeng-01", "grid_worker", "grid", "g-tinghu-wenfeng-01", False),
        ("co-tinghu-wenfeng-yulong", "community_officer", "community", "c-tinghu-wenfeng-yulong", False),
        ("op-tinghu", "operator", "district", "d-tinghu", False),
        ("sv-yancheng", "supervisor", "city", "yancheng", True),
    ],
)
def test_the_caller_has_the_role_unit_and_jurisdiction_the_registry_gives(
    city: City, person_id: str, role: str, level: str, unit_id: str, city_wide: bool
):
    caller = authorize(token(person_id), city)
    assert (caller.person_id, caller.role, caller.unit_id) == (person_id, role, unit_id)
    assert caller.jurisdiction == Jurisdiction(level=level, unit_id=unit_id)  # type: ignore[arg-type]
    assert caller.city_wide is city_wide
    assert caller.session_id == "s-1"


def test_a_person_the_registry_does_not_have_is_refused(city: City):
    with pytest.raises(RefusedByRegistry, match="'nobody' is not in the registry"):
        authorize(token("nobody"), city)


def test_a_grid_worker_claiming_to_be_a_supervisor_is_refused(city: City):
    with pytest.raises(RefusedByRegistry, match="role 'supervisor' but the registry gives"):
        authorize(token("w-tinghu-wenfeng-01", role="supervisor"), city)


def test_a_token_claiming_the_whole_city_as_unit_is_refused(city: City):
    with pytest.raises(RefusedByRegistry, match="unit_id 'yancheng'"):
        authorize(token("w-tinghu-wenfeng-01", unit_id="yancheng"), city)


def test_claims_that_agree_with_the_registry_are_accepted(city: City):
    caller = authorize(token("op-tinghu", role="operator", unit_id="d-tinghu"), city)
    assert caller.role == "operator"


def authenticator(city: City, day: date) -> Authenticator:
    verifier = TokenVerifier([LocalIssuer([signing_key().public_key()])], clock=lambda: at_noon(day))
    return Authenticator(verifier, city, clock=lambda: at_noon(day))


async def test_a_person_who_left_is_refused_from_the_day_their_record_ends(city: City):
    """co-tinghu-wenfeng-yulong-former's record runs until 2024-12-31 (exclusive)."""
    person = "co-tinghu-wenfeng-yulong-former"
    last_day, gone = date(2024, 12, 30), date(2024, 12, 31)
    caller = await authenticator(city, last_day).authenticate(mint(person, now=at_noon(last_day)))
    assert caller.unit_id == "c-tinghu-wenfeng-yulong"
    with pytest.raises(RefusedByRegistry, match="not in the registry in force today"):
        await authenticator(city, gone).authenticate(mint(person, now=at_noon(gone)))


async def test_a_person_who_has_not_joined_yet_is_refused_until_their_first_day(city: City):
    """op-yandu-2 joins Yandu's command centre on 2026-12-01."""
    eve, first = date(2026, 11, 30), date(2026, 12, 1)
    with pytest.raises(RefusedByRegistry):
        await authenticator(city, eve).authenticate(mint("op-yandu-2", now=at_noon(eve)))
    caller = await authenticator(city, first).authenticate(mint("op-yandu-2", now=at_noon(first)))
    assert caller.jurisdiction == Jurisdiction(level="district", unit_id="d-yandu")


async def test_the_day_is_the_citys_a_minute_after_local_midnight_is_the_new_day(city: City):
    """00:01 on 2024-12-31 in Yancheng is still 2024-12-30 in UTC: the city's day counts."""
    moment = datetime(2024, 12, 30, 16, 1, tzinfo=UTC)
    verifier = TokenVerifier([LocalIssuer([signing_key().public_key()])], clock=lambda: moment)
    gate = Authenticator(verifier, city, clock=lambda: moment)
    with pytest.raises(RefusedByRegistry):
        await gate.authenticate(mint("co-tinghu-wenfeng-yulong-former", now=moment - timedelta(minutes=1)))


def test_a_grid_lies_in_its_community_street_district_and_the_city(city: City):
    assert enclosing_units(city, "g-tinghu-wenfeng-01") == (
        "g-tinghu-wenfeng-01",
        "c-tinghu-wenfeng-yulong",
        "s-tinghu-wenfeng",
        "d-tinghu",
        "yancheng",
    )
    assert enclosing_units(city, "yancheng") == ("yancheng",)
    department = city.departments[0].department_id
    assert enclosing_units(city, department) == (department, "yancheng")


@pytest.mark.parametrize(
    ("jurisdiction", "unit_id", "inside"),
    [
        (("district", "d-tinghu"), "g-tinghu-wenfeng-01", True),
        (("district", "d-tinghu"), "d-tinghu", True),
        (("district", "d-yandu"), "g-tinghu-wenfeng-01", False),
        (("district", "d-tinghu"), "yancheng", False),
        (("street", "s-tinghu-wenfeng"), "c-tinghu-wenfeng-yulong", True),
        (("street", "s-tinghu-wenfeng"), "s-tinghu-xianfeng", False),
        (("grid", "g-tinghu-wenfeng-01"), "c-tinghu-wenfeng-yulong", False),
        (("city", "yancheng"), "g-yandu-xindu-01", True),
    ],
)
def test_a_jurisdiction_covers_its_unit_and_the_units_inside_it_only(
    city: City, jurisdiction: tuple[str, str], unit_id: str, inside: bool
):
    level, unit = jurisdiction
    assert covers(city, Jurisdiction(level=level, unit_id=unit), unit_id) is inside  # type: ignore[arg-type]
