"""Who handles a case and who verifies it, from the city's data.

The category's default tier decides the level; the routing table below says which role at which unit
handles a case at that level. When the city has nobody there, the grid's chief takes the case, so a
located case always has a named person responsible (分片负责、责任到人). The verifier is never the
assignee: the grid chief, else a supervisor of the district or the city, else one of the grid's workers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.dispatch.domain.jurisdiction import Jurisdiction
from shared.city import Category, City, Person, Role, Tier

UnitOf = Callable[[Jurisdiction, Category], "str | None"]
# How many open cases a person holds now.
Workload = Callable[[str], int]

# tier -> (role of the handler, the unit whose people in that role may take the case)
HANDLER_AT_TIER: Mapping[Tier, tuple[Role, UnitOf]] = {
    "grid": ("grid_worker", lambda where, category: where.grid_id),
    "community": ("community_officer", lambda where, category: where.community_id),
    "street": ("street_officer", lambda where, category: where.street_id),
    # Beyond a street's power the owning department handles it (DOMAIN.md: departments own categories).
    "district": ("department_handler", lambda where, category: category.department_id),
}

# The level each role works at, which is the tier the case is held at once assigned.
TIER_OF_ROLE: Mapping[Role, Tier] = {
    "grid_worker": "grid",
    "grid_chief": "grid",
    "community_officer": "community",
    "street_officer": "street",
    "department_handler": "district",
}


@dataclass(frozen=True)
class Assignment:
    assignee: Person
    verifier: Person

    @property
    def tier(self) -> Tier:
        return TIER_OF_ROLE[self.assignee.role]

    @property
    def unit_id(self) -> str:
        return self.assignee.unit_id


def assign(
    city: City,
    category: Category,
    where: Jurisdiction,
    case_id: UUID,
    *,
    at: datetime | None = None,
    workload: Workload | None = None,
) -> Assignment | None:
    """The assignee and verifier of a case, or None when nobody can be named (manual triage): the case is
    in no community, or only in a community (an address) that has nobody to take it or to verify it.

    With ``at`` (the dispatch instant), a grid-tier case goes to the grid's workers on duty then (all of
    them when the schedules put nobody on duty); with ``workload``, to the one holding the fewest open
    cases. Ties, and everything without a workload, are broken by `pick_stably`. A case placed in a
    community but in no grid (an address-only report) goes to the community at least: a grid-tier category
    to the community officer.
    """
    if not where.placed:
        return None
    assignee = _assignee(city, category, where, case_id, at, workload)
    return None if assignee is None else assignment_to(city, where, assignee)


def assignment_to(city: City, where: Jurisdiction, assignee: Person) -> Assignment | None:
    """The assignment of a case to a person already chosen (also a remembered choice), with its verifier;
    None when nobody but the assignee could verify (only possible for a case in no grid)."""
    verifier = _verifier(city, where, assignee)
    return None if verifier is None else Assignment(assignee=assignee, verifier=verifier)


def least_loaded(people: Sequence[Person], case_id: UUID, workload: Workload) -> Person:
    """The person holding the fewest open cases; among several, `pick_stably`'s choice."""
    if len(people) == 1:  # often just one worker on duty: nobody to weigh them against
        return people[0]
    loads = {person.person_id: workload(person.person_id) for person in people}
    fewest = min(loads.values())
    return pick_stably([person for person in people if loads[person.person_id] == fewest], case_id)


def pick_stably(people: Sequence[Person], case_id: UUID) -> Person:
    """One of ``people``, the same one every time for the same case and the same people.

    A stable hash (not Python's salted ``hash``) of the case id over the people sorted by id: every
    instance, and a redelivery after a restart, picks the same person; it breaks least-loaded ties.
    """
    if not people:
        raise ValueError("nobody to pick from")
    ordered = sorted(people, key=lambda person: person.person_id)
    digest = hashlib.sha256(case_id.bytes).digest()
    return ordered[int.from_bytes(digest[:8], "big") % len(ordered)]


def tier_for(category: Category, where: Jurisdiction) -> Tier:
    """The tier a case is handled at: the category's; at least the community's for a case in no grid (no
    grid worker to take it); the district command centre's for a case placed nowhere (manual triage)."""
    if where.located:
        return category.default_tier
    if where.placed:
        return "community" if category.default_tier == "grid" else category.default_tier
    return "district"


def _assignee(
    city: City,
    category: Category,
    where: Jurisdiction,
    case_id: UUID,
    at: datetime | None,
    workload: Workload | None,
) -> Person | None:
    role, unit_of = HANDLER_AT_TIER[tier_for(category, where)]
    unit_id = unit_of(where, category)
    candidates = city.members_of(unit_id, role=role) if unit_id is not None else ()
    if candidates and role == "grid_worker" and at is not None and where.grid_id is not None:
        candidates = city.on_duty(where.grid_id, at)
    if not candidates:
        if where.grid_id is not None:
            return city.chief_of(where.grid_id)
        assert where.community_id is not None  # callers route cases placed nowhere to manual triage
        candidates = city.members_of(where.community_id, role="community_officer")
        if not candidates:
            return None
    return (
        least_loaded(candidates, case_id, workload)
        if workload is not None
        else pick_stably(candidates, case_id)
    )


def _verifier(city: City, where: Jurisdiction, assignee: Person) -> Person | None:
    return next(
        (person for person in _verifiers(city, where) if person.person_id != assignee.person_id), None
    )


def _verifiers(city: City, where: Jurisdiction) -> Iterator[Person]:
    """Who may verify, in order of preference; lazily, since the first (the grid chief) nearly always can."""
    grid_id = where.grid_id
    if grid_id is not None:
        yield city.chief_of(grid_id)
    if where.district_id is not None:
        yield from city.members_of(where.district_id, role="supervisor")
    yield from city.members_of(city.city_id, role="supervisor")
    # A loaded city gives every grid a chief and at least one worker, so for a case in a grid this list
    # always holds someone other than the assignee.
    if grid_id is not None:
        yield from city.workers_of(grid_id)
