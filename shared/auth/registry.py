"""What a person may do comes from the registry in force that day, never from their token.

``authorize`` turns a verified token into the ``Caller``: the person's registry record (role, unit) and
their jurisdiction. A token naming someone the registry does not have that day (never there, not yet
joined, or left: ``effective_until`` is the first day they are refused) is refused, and so is a token
that claims a ``role`` or ``unit_id`` other than the registry's, since a client that sends them believes
something about the person that is not so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.auth.errors import RefusedByRegistry
from shared.auth.tokens import VerifiedToken
from shared.city import City, Person
from shared.city.units import enclosing_units

Level = Literal["grid", "community", "street", "district", "city", "department"]
# Claims a token may carry about the person, checked against the registry's record of them.
CHECKED_CLAIMS = ("role", "unit_id")


@dataclass(frozen=True)
class Jurisdiction:
    """The unit a person answers for, and which kind of unit it is."""

    level: Level
    unit_id: str


@dataclass(frozen=True)
class Caller:
    """The person a request acts for, as the registry of the day has them."""

    person: Person
    jurisdiction: Jurisdiction
    issuer: str
    expires_at: datetime
    session_id: str | None = None

    @property
    def person_id(self) -> str:
        return self.person.person_id

    @property
    def role(self) -> str:
        return self.person.role

    @property
    def unit_id(self) -> str:
        return self.person.unit_id

    @property
    def city_wide(self) -> bool:
        """Serving the city itself, not one of its units: every unit is theirs."""
        return self.jurisdiction.level == "city"


def authorize(token: VerifiedToken, city: City) -> Caller:
    """The caller a verified token stands for in ``city``, the registry in force on the day. Raises
    RefusedByRegistry."""
    try:
        person = city.person(token.person_id)
    except KeyError:
        raise RefusedByRegistry(
            f"{token.person_id!r} is not in the registry in force today (unknown, not yet joined, or left)"
        ) from None
    for claim in CHECKED_CLAIMS:
        if claim in token.claims and token.claims[claim] != getattr(person, claim):
            raise RefusedByRegistry(
                f"the token says {claim} {token.claims[claim]!r} but the registry gives "
                f"{person.person_id!r} {claim} {getattr(person, claim)!r}"
            )
    return Caller(
        person=person,
        jurisdiction=jurisdiction_of(person, city),
        issuer=token.issuer,
        expires_at=token.expires_at,
        session_id=token.session_id,
    )


def jurisdiction_of(person: Person, city: City) -> Jurisdiction:
    level = city.unit_kind(person.unit_id)
    # A loaded city checks that every person serves a unit it has.
    assert level is not None, f"{person.person_id} serves unknown unit {person.unit_id}"
    return Jurisdiction(level=level, unit_id=person.unit_id)


def covers(city: City, jurisdiction: Jurisdiction, unit_id: str) -> bool:
    """Whether ``unit_id`` lies within the jurisdiction (is it, or is inside it)."""
    return jurisdiction.unit_id in enclosing_units(city, unit_id)
