"""Cross-reference checks over the city files once each has passed its own schema.

Each check returns the problems it found (empty when all is well), naming the file and the record that
is wrong, so that whoever edits the data can go straight to it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import shapely
from shapely import STRtree

from shared.city import versions
from shared.city.catalogue import CategoryGroup
from shared.city.errors import Problem
from shared.city.records import App, Grid, UnitKind
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
    gazetteer: str = "gazetteer.yaml"


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
    """Each grid version is listed under its community and has a sound polygon; every listed grid has
    at least one version; no two versions of one grid overlap in time; no two grids in force on the
    same day overlap in space."""
    community_of = {
        grid_id: community.community_id
        for district in city.districts
        for street in district.streets
        for community in street.communities
        for grid_id in community.grids
    }
    problems = versions.check_versions(grids, lambda grid: grid.grid_id, "grid", files.grids)
    reported: set[str] = set()
    for grid in grids:
        record = f"grid {grid.grid_id!r}"
        expected = community_of.get(grid.grid_id)
        if expected is None:
            if grid.grid_id not in reported:
                problems.append(
                    Problem(files.grids, record, "is not listed under any community in city.yaml")
                )
            reported.add(grid.grid_id)
        elif grid.community_id != expected:
            problems.append(
                Problem(
                    files.grids,
                    record,
                    f"says community {grid.community_id!r} but city.yaml lists it under {expected!r}",
                )
            )
    problems += _polygon_problems(grids, files)
    drawn = {grid.grid_id for grid in grids}
    problems += [
        Problem(
            files.city,
            f"community {community_id!r}",
            f"lists grid {grid_id!r}, which has no polygon in grids.geojson",
        )
        for grid_id, community_id in community_of.items()
        if grid_id not in drawn
    ]
    for day in versions.period_starts(grids):
        problems += dated(_overlaps(versions.in_force(grids, day), files), day)
    return unique(problems)


def _polygon_problems(grids: list[Grid], files: Files) -> list[Problem]:
    # Vectorised over all grids at once: a 100,000-grid city is checked in well under a second.
    polygons = np.array([grid.polygon for grid in grids], dtype=object)
    empty = shapely.is_empty(polygons)
    bounds = shapely.bounds(polygons)
    valid = shapely.is_valid(polygons)
    area = shapely.area(polygons)
    problems = []
    for index in np.flatnonzero(empty | ~valid | ~(area > 0) | _out_of_range(bounds)):
        grid = grids[int(index)]
        problems.append(Problem(files.grids, f"grid {grid.grid_id!r}", _polygon_problem(grid)))
    return problems


def _out_of_range(bounds: Any) -> Any:
    west, south, east, north = bounds.T
    with np.errstate(invalid="ignore"):
        in_range = (west >= -180) & (west <= east) & (east <= 180)
        return ~(in_range & (south >= -90) & (south <= north) & (north <= 90))


def _polygon_problem(grid: Grid) -> str:
    polygon = grid.polygon
    if polygon.is_empty:
        return "has an empty polygon"
    west, south, east, north = polygon.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return f"has coordinates outside longitude/latitude range: bounds {polygon.bounds}"
    if not polygon.is_valid:
        return f"has an invalid polygon: {shapely.is_valid_reason(polygon)}"
    return "has a polygon of zero area"


def _overlaps(grids: list[Grid], files: Files) -> list[Problem]:
    valid = [grid for grid in grids if grid.polygon.is_valid and not grid.polygon.is_empty]
    polygons = np.array([grid.polygon for grid in valid], dtype=object)
    tree = STRtree(polygons)
    first, second = tree.query(polygons, predicate="intersects")
    keep = first < second
    first, second = first[keep], second[keep]
    # Neighbours touch along their shared edge: only pairs whose interiors meet can overlap by any area.
    interior = ~shapely.touches(polygons[first], polygons[second])
    first, second = first[interior], second[interior]
    overlaps = shapely.intersection(polygons[first], polygons[second])
    problems = []
    for i, j, overlap in zip(first, second, overlaps, strict=True):
        area_m2 = overlap.area * _m2_per_square_degree(overlap.centroid.y) if not overlap.is_empty else 0.0
        if area_m2 > OVERLAP_TOLERANCE_M2:
            a, b = sorted((valid[i].grid_id, valid[j].grid_id))
            problems.append(Problem(files.grids, f"grid {a!r}", f"overlaps grid {b!r} by {area_m2:,.0f} m²"))
    return problems


def dated(problems: list[Problem], day: date) -> list[Problem]:
    """Problems found in the registry in force from ``day``: said so, unless it is the first period."""
    if day == versions.BEGINNING:
        return problems
    return [Problem(p.file, p.record, f"{p.problem} (in force from {day})") for p in problems]


def unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once: the first period it shows up in, not again in every later one."""
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.file, problem.record, problem.problem.split(" (in force from ")[0])
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique


def _m2_per_square_degree(latitude: float) -> float:
    return _METRES_PER_DEGREE**2 * math.cos(math.radians(latitude))


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


def check_departments(city: CityFile, groups: tuple[CategoryGroup, ...], files: Files) -> list[Problem]:
    """A department that lists its categories lists exactly those categories.yaml gives it."""
    owner = {category.code: category.department_id for group in groups for category in group.categories}
    problems = []
    for department in city.departments:
        if department.categories is None:
            continue
        record = f"department {department.department_id!r}"
        for code in department.categories:
            if code not in owner:
                problems.append(Problem(files.city, record, f"owns unknown category {code!r}"))
            elif owner[code] != department.department_id:
                problems.append(
                    Problem(
                        files.city,
                        record,
                        f"lists category {code!r}, which categories.yaml gives to {owner[code]!r}",
                    )
                )
        problems += [
            Problem(files.city, record, f"does not list category {code!r}, which categories.yaml gives it")
            for code, department_id in owner.items()
            if department_id == department.department_id and code not in department.categories
        ]
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
