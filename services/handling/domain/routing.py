"""Who receives a case that moves: the next tier's holder on escalation, the lead unit's person after a
consultation, a named person on reassignment. Pure lookups in the city's registry; the lifecycle itself
is given the ``Holder`` in the command and never reads the registry.
"""

from __future__ import annotations

from services.handling.domain.commands import Holder
from services.handling.domain.model import Case
from services.handling.domain.policy import HandlingPolicy
from shared.city import City

# The role that takes a unit's cases, and the tier it acts at.
TAKER_OF_KIND: dict[str, tuple[str, str]] = {
    "grid": ("grid_chief", "grid"),
    "community": ("community_officer", "community"),
    "street": ("street_officer", "street"),
    "district": ("operator", "district"),
    "department": ("department_handler", "district"),
}


class NoHolder(Exception):
    """Nobody in the registry can take the case there."""


def holder_of_unit(city: City, unit_id: str) -> Holder:
    """The first person (by id) in the role that takes ``unit_id``'s cases."""
    kind = city.unit_kind(unit_id)
    if kind is None or kind not in TAKER_OF_KIND:
        raise NoHolder(f"{unit_id} is not a unit that takes cases")
    role, tier = TAKER_OF_KIND[kind]
    people = city.members_of(unit_id, role=role)  # type: ignore[arg-type]
    if not people:
        raise NoHolder(f"nobody serves {unit_id} as {role}")
    return Holder(person_id=people[0].person_id, role=role, unit_id=unit_id, tier=tier)


def holder_at_tier(city: City, case: Case, tier: str) -> Holder:
    """Who holds ``case`` when it goes up to ``tier``: the community or street officer of its place, or at
    district level the owning department's handler (the district's operator when no department owns it)."""
    unit = {
        "grid": case.grid_id,
        "community": case.community_id,
        "street": case.street_id,
        "district": case.department_id or case.district_id,
    }.get(tier)
    if unit is None:
        raise NoHolder(f"case {case.id} has no {tier} to go to")
    return holder_of_unit(city, unit)


def holder_above(city: City, case: Case, policy: HandlingPolicy) -> Holder | None:
    """Who receives ``case`` escalated one tier up; None when it is at the policy's top tier already."""
    above = policy.tier_above(case.tier)
    return None if above is None else holder_at_tier(city, case, above)


def holder_named(city: City, person_id: str) -> Holder:
    """A named person, at the tier of the unit they serve."""
    try:
        person = city.person(person_id)
    except KeyError:
        raise NoHolder(f"no person {person_id} in the city's registry") from None
    kind = city.unit_kind(person.unit_id)
    tier = TAKER_OF_KIND.get(kind or "", ("", "district"))[1]
    return Holder(person_id=person.person_id, role=person.role, unit_id=person.unit_id, tier=tier)
