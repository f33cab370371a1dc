"""Cross-reference checks over the city files once each has passed its own schema.

Each check returns the problems it found (empty when all is well), naming the file and the record that
is wrong, so that whoever edits the data can go straight to it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import shapely
from shapely import STRtree

from shared.city.catalogue import CategoryGroup
from shared.city.errors import Problem
from shared.city.records import UNIT_KINDS_OF_ROLE, App, Grid, Person, UnitKind
from shared.city.schema import CityFile

# Neighbouring grids drawn by hand share edges only up to drafting error; more than this is an overlap.
OVERLAP_TOLERANCE_M2 = 1.0
_METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Files:
    """The label (path as given) of each city file, used in every problem."""

    city: str
    grids: str
    people: str
    categories: str
    apps: str


def unit_kinds(city: CityFile) -> dict[str, UnitKind]:
    """Every unit id the org tree declares, with its kind (the first declaration wins)."""
    kinds: dict[str, UnitKind] = {city.city_id: "city"}
    for unit_id, kind, _ in _declarations(city):
        kinds.setdefault(unit_id, kind)
    return kinds


def _declarations(city: CityFile) -> Iterable[tuple[str, UnitKind, str]]:
    """(unit id, kind, the record declaring it) for every unit in city.yaml, in file order."""
    for district in city.districts:
        yield district.district_id, "district", f"district {district.district_id!r}"
        for street in district.streets:
            yield street.street_id, "street", f"street {street.street_id!r}"
            for community in street.communities:
                record = f"community {community.community_id!r}"
                yield community.community_id, "community", record
                for grid_id in community.grids:
                    yield grid_id, "grid", record
    for department in city.departments:
        yield department.department_id, "department", f"department {department.department_id!r}"


def check_org_tree(city: CityFile, files: Files) -> list[Problem]:
    problems, first_seen = [], {city.city_id: f"city {city.city_id!r}"}
    for unit_id, kind, record in _declarations(city):
        if unit_id in first_seen:
            what = f"lists grid {unit_id!r}" if kind == "grid" else f"reuses the id {unit_id!r}"
            problems.append(Problem(files.city, record, f"{what}, already used by {first_seen[unit_id]}"))
        else:
            first_seen[unit_id] = record
    return problems


def check_grids(city: CityFile, grids: list[Grid], files: Files) -> list[Problem]:
    community_of = {
        grid_id: community.community_id
        for district in city.districts
        for street in district.streets
        for community in street.communities
        for grid_id in community.grids
    }
    problems = []
    counts = Counter(grid.grid_id for grid in grids)
    problems += [
        Problem(files.grids, f"grid {grid_id!r}", f"appears in {count} features")
        for grid_id, count in counts.items()
        if count > 1
    ]
    for grid in grids:
        record = f"grid {grid.grid_id!r}"
        expected = community_of.get(grid.grid_id)
        if expected is None:
            problems.append(Problem(files.grids, record, "is not listed under any community in city.yaml"))
        elif grid.community_id != expected:
            problems.append(
                Problem(
                    files.grids,
                    record,
                    f"says community {grid.community_id!r} but city.yaml lists it under {expected!r}",
                )
            )
        problems += [Problem(files.grids, record, p) for p in _polygon_problems(grid)]
    problems += [
        Problem(
            files.city,
            f"community {community_id!r}",
            f"lists grid {grid_id!r}, which has no polygon in grids.geojson",
        )
        for grid_id, community_id in community_of.items()
        if grid_id not in counts
    ]
    return problems + _overlaps(grids, files)


def _polygon_problems(grid: Grid) -> list[str]:
    polygon = grid.polygon
    if polygon.is_empty:
        return ["has an empty polygon"]
    west, south, east, north = polygon.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return [f"has coordinates outside longitude/latitude range: bounds {polygon.bounds}"]
    if not polygon.is_valid:
        return [f"has an invalid polygon: {shapely.is_valid_reason(polygon)}"]
    if polygon.area <= 0:
        return ["has a polygon of zero area"]
    return []


def _overlaps(grids: list[Grid], files: Files) -> list[Problem]:
    valid = [grid for grid in grids if grid.polygon.is_valid and not grid.polygon.is_empty]
    polygons = [grid.polygon for grid in valid]
    tree = STRtree(polygons)
    problems = []
    for i, j in zip(*tree.query(polygons, predicate="intersects"), strict=True):
        if i >= j:
            continue
        overlap = shapely.intersection(polygons[i], polygons[j])
        area_m2 = overlap.area * _m2_per_square_degree(overlap.centroid.y) if not overlap.is_empty else 0.0
        if area_m2 > OVERLAP_TOLERANCE_M2:
            first, second = sorted((valid[i].grid_id, valid[j].grid_id))
            problems.append(
                Problem(files.grids, f"grid {first!r}", f"overlaps grid {second!r} by {area_m2:,.0f} m²")
            )
    return problems


def _m2_per_square_degree(latitude: float) -> float:
    return _METRES_PER_DEGREE**2 * math.cos(math.radians(latitude))


def check_people(people: tuple[Person, ...], kinds: Mapping[str, UnitKind], files: Files) -> list[Problem]:
    problems = []
    counts = Counter(person.person_id for person in people)
    problems += [
        Problem(files.people, f"person {person_id!r}", f"appears {count} times")
        for person_id, count in counts.items()
        if count > 1
    ]
    by_grid: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
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
            by_grid[person.unit_id, person.role].append(person.person_id)
    for grid_id in sorted(unit for unit, kind in kinds.items() if kind == "grid"):
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


def check_categories(
    groups: tuple[CategoryGroup, ...], kinds: Mapping[str, UnitKind], files: Files
) -> list[Problem]:
    problems = []
    group_counts = Counter(group.group_id for group in groups)
    problems += [
        Problem(files.categories, f"group {group_id!r}", f"appears {count} times")
        for group_id, count in group_counts.items()
        if count > 1
    ]
    code_counts = Counter(category.code for group in groups for category in group.categories)
    problems += [
        Problem(files.categories, f"category {code!r}", f"appears {count} times")
        for code, count in code_counts.items()
        if count > 1
    ]
    for group in groups:
        for category in group.categories:
            record = f"category {category.code!r}"
            if category.group_id != group.group_id:
                problems.append(
                    Problem(
                        files.categories,
                        record,
                        f"is listed in group {group.group_id!r} but its code says {category.group_id!r}",
                    )
                )
            if category.department_id is not None and kinds.get(category.department_id) != "department":
                problems.append(
                    Problem(
                        files.categories, record, f"is owned by unknown department {category.department_id!r}"
                    )
                )
    return problems


def check_apps(apps: tuple[App, ...], files: Files) -> list[Problem]:
    problems = [
        Problem(files.apps, f"app {app_id!r}", f"appears {count} times")
        for app_id, count in Counter(app.app_id for app in apps).items()
        if count > 1
    ]
    owner_of_key: dict[str, str] = {}
    for app in apps:
        other = owner_of_key.setdefault(app.api_key_sha256, app.app_id)
        if other != app.app_id:
            problems.append(
                Problem(files.apps, f"app {app.app_id!r}", f"has the same API key as app {other!r}")
            )
    return problems
