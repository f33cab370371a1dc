"""Checks over people.yaml: who serves which unit, in which role, from when.

Each version of a person must serve a unit its role may serve; versions of one person must not overlap in
time; and on every day each grid in force has exactly one grid chief and at least one grid worker. Since
nothing changes between two change days, that last rule is checked once per period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from shared.city import versions
from shared.city.checks import Files, dated, unique
from shared.city.errors import Problem
from shared.city.records import UNIT_KINDS_OF_ROLE, Grid, Person, UnitKind


def check_people(
    people: Sequence[Person], kinds: Mapping[str, UnitKind], grids: Sequence[Grid], files: Files
) -> list[Problem]:
    problems = versions.check_versions(people, lambda person: person.person_id, "person", files.people)
    serving = []
    for person in people:
        record = f"person {person.person_id!r}"
        kind = kinds.get(person.unit_id)
        if kind is None:
            problems.append(Problem(files.people, record, f"serves unknown unit {person.unit_id!r}"))
        elif kind not in UNIT_KINDS_OF_ROLE[person.role]:
            allowed = " or ".join(sorted(UNIT_KINDS_OF_ROLE[person.role]))
            problems.append(
                Problem(
                    files.people,
                    record,
                    f"is a {person.role} but serves {kind} {person.unit_id!r}; "
                    f"a {person.role} serves a {allowed}",
                )
            )
        else:
            serving.append(person)
    for day in versions.period_starts(people, grids):
        grid_ids = {grid.grid_id for grid in versions.in_force(grids, day)}
        found = _staffing(versions.in_force(serving, day), kinds, grid_ids, files)
        problems += dated(found, day)
    return unique(problems)


def _staffing(
    people: list[Person], kinds: Mapping[str, UnitKind], grid_ids: set[str], files: Files
) -> list[Problem]:
    problems = []
    by_grid: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for person in people:
        if kinds[person.unit_id] == "grid" and person.unit_id not in grid_ids:
            problems.append(
                Problem(
                    files.people,
                    f"person {person.person_id!r}",
                    f"serves grid {person.unit_id!r}, which has no boundary in force",
                )
            )
        by_grid[person.unit_id, person.role].append(person.person_id)
    for grid_id in sorted(grid_ids):
        chiefs = by_grid[grid_id, "grid_chief"]
        if len(chiefs) != 1:
            named = f": {', '.join(map(repr, chiefs))}" if chiefs else ""
            problems.append(
                Problem(
                    files.people,
                    f"grid {grid_id!r}",
                    f"has {len(chiefs)} grid chiefs{named}; it needs exactly one",
                )
            )
        if not by_grid[grid_id, "grid_worker"]:
            problems.append(
                Problem(files.people, f"grid {grid_id!r}", "has no grid worker; it needs at least one")
            )
    return problems
