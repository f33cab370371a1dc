"""Checks over gazetteer.yaml: every term names one real community, so an address can never match two.

An alias shared by two communities, or a road in two communities without house-number ranges that keep
them apart, would send every address using it to manual triage; the loader says so instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from shared.city.checks import Files
from shared.city.errors import Problem
from shared.city.gazetteer import Gazetteer, RoadSection, normalise
from shared.city.records import UnitKind


def check_gazetteer(gazetteer: Gazetteer, kinds: Mapping[str, UnitKind], files: Files) -> list[Problem]:
    file = files.gazetteer
    entries = gazetteer.communities
    problems = [
        Problem(file, f"community {community_id!r}", f"appears {count} times")
        for community_id, count in Counter(entry.community_id for entry in entries).items()
        if count > 1
    ]
    alias_owner: dict[str, str] = {}
    sections: defaultdict[str, list[tuple[str, RoadSection]]] = defaultdict(list)
    for entry in entries:
        record = f"community {entry.community_id!r}"
        if kinds.get(entry.community_id) != "community":
            problems.append(Problem(file, record, "is not a community of city.yaml"))
        for alias in entry.aliases:
            owner = alias_owner.setdefault(normalise(alias), entry.community_id)
            if owner != entry.community_id:
                problems.append(Problem(file, record, f"has the alias {alias!r}, already one of {owner!r}"))
        for road in entry.roads:
            for other_id, other in sections[normalise(road.name)]:
                if other_id != entry.community_id and _overlap(road, other):
                    problems.append(
                        Problem(
                            file,
                            record,
                            f"has road {road.name!r} where community {other_id!r} has it too; give each "
                            "section house numbers that do not overlap",
                        )
                    )
            sections[normalise(road.name)].append((entry.community_id, road))
    return problems


def _overlap(a: RoadSection, b: RoadSection) -> bool:
    if a.numbers is None or b.numbers is None:
        return True
    return a.numbers[0] <= b.numbers[1] and b.numbers[0] <= a.numbers[1]
