"""Synthetic cities of any size load like the sample city, and locating in one is exact: every point of
the city goes to exactly one grid, a point on a shared edge to the same one whatever the grids' order."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from shared.city import City, Grid, GridLocator, load_city
from tools.make_synthetic_city import GRIDS_PER_COMMUNITY, main, write

GRIDS = 450


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    out = tmp_path_factory.mktemp("synthetic")
    write(out, GRIDS, seed=3)
    return load_city(out)


@pytest.mark.parametrize("grids", [1, 7, 81, 1_300])
def test_a_synthetic_city_of_any_size_loads(tmp_path: Path, grids: int) -> None:
    main(["--grids", str(grids), "--out", str(tmp_path)])
    city = load_city(tmp_path)
    assert len(city.grids) == grids
    assert len(city.communities) == -(-grids // GRIDS_PER_COMMUNITY)
    for grid in city.grids:
        assert city.chief_of(grid.grid_id).role == "grid_chief"
        assert 1 <= len(city.workers_of(grid.grid_id)) <= 3
    assert {c.code for c in city.categories} == {c.code for c in load_city(Path("city")).categories}
    assert city.app_for_key("dev-key-patrol-app") is not None
    assert city.outline.geom_type == "Polygon"  # one piece, no holes between grids
    assert abs(city.outline.area - sum(g.polygon.area for g in city.grids)) < 1e-12


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    write(tmp_path / "a", 200)
    write(tmp_path / "b", 200)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_every_community_of_a_synthetic_city_is_found_by_its_address(city: City) -> None:
    for entry in city.gazetteer.communities:
        assert city.community_for_address(f"合成市{entry.roads[0].name}12号") == entry.community_id
    assert Counter(e.community_id for e in city.gazetteer.communities).most_common(1)[0][1] == 1


def _bounds(city: City) -> tuple[float, float, float, float]:
    west, south, east, north = city.outline.bounds
    return west - 0.002, south - 0.002, east + 0.002, north + 0.002


@settings(max_examples=400, deadline=None)
@given(x=st.floats(0, 1), y=st.floats(0, 1))
def test_every_point_of_a_synthetic_city_goes_to_exactly_one_grid(city: City, x: float, y: float) -> None:
    west, south, east, north = _bounds(city)
    lon, lat = west + x * (east - west), south + y * (north - south)
    point = Point(lon, lat)
    inside = [grid.grid_id for grid in city.grids if grid.polygon.contains(point)]
    covering = sorted(grid.grid_id for grid in city.grids if grid.polygon.covers(point))
    located = city.locator.locate(lon, lat)
    assert len(inside) <= 1  # interiors never overlap
    if covering:
        assert located == covering[0]  # inside one grid, or on an edge: the smallest id covering it
    elif located is not None:  # only float rounding puts a point a hair outside every grid
        assert city.grid(located).polygon.distance(point) < 1e-8


class _Pairs(list[tuple[Grid, Grid]]):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"<{len(self)} pairs of neighbouring grids>"


@pytest.fixture(scope="module")
def neighbours(city: City) -> list[tuple[Grid, Grid]]:
    pairs = _Pairs()
    for grid in city.grids:
        for other in city.grids:
            if grid.grid_id < other.grid_id and grid.polygon.intersection(other.polygon).length > 0:
                pairs.append((grid, other))
        if len(pairs) > 300:
            break
    return pairs


@settings(max_examples=300, deadline=None)
@given(which=st.integers(0, 10_000), fraction=st.floats(0, 1), seed=st.integers(0, 100))
def test_a_point_on_a_shared_edge_goes_to_the_same_grid_whatever_the_order(
    city: City, neighbours: list[tuple[Grid, Grid]], which: int, fraction: float, seed: int
) -> None:
    first, second = neighbours[which % len(neighbours)]
    edge = first.polygon.boundary.intersection(second.polygon.boundary)
    point = edge.interpolate(fraction, normalized=True)
    shuffled = list(city.grids)
    random.Random(seed).shuffle(shuffled)
    answers = {city.locator.locate(point.x, point.y), GridLocator(shuffled).locate(point.x, point.y)}
    assert len(answers) == 1
    # Rounding may put an interpolated point a hair inside one of the two grids: it is then that one's.
    nearby = {grid.grid_id for grid in city.grids if grid.polygon.distance(point) < 1e-9}
    assert answers <= nearby


def test_every_shared_vertex_goes_to_the_smallest_grid_covering_it(city: City) -> None:
    locators = [city.locator, GridLocator(reversed(city.grids))]
    shared = 0
    for grid in city.grids[:120]:
        for lon, lat in grid.polygon.exterior.coords:
            covering = sorted(g.grid_id for g in city.grids if g.polygon.covers(Point(lon, lat)))
            shared += len(covering) > 1
            assert {locator.locate(lon, lat) for locator in locators} == {covering[0]}
    assert shared > 500
