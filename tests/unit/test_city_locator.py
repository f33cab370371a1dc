"""Locating a WGS-84 point finds its grid: exactly one inside the city, none outside, the same one every
time for a point on a shared boundary."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from shared.city import CITY_EDGE_TOLERANCE_M, City, Grid, GridLocator, load_city

CITY = load_city(Path(__file__).resolve().parents[2] / "city")
WEST, SOUTH, EAST, NORTH = CITY.outline.bounds
MARGIN = 0.005
OUTLINE = CITY.outline


def covering(city: City, lon: float, lat: float) -> list[str]:
    return sorted(grid.grid_id for grid in city.grids if grid.polygon.covers(Point(lon, lat)))


def shuffled_locator(seed: int) -> GridLocator:
    grids = list(CITY.grids)
    random.Random(seed).shuffle(grids)
    return GridLocator(grids)


@pytest.mark.parametrize("grid", CITY.grids, ids=lambda grid: grid.grid_id)
def test_a_grids_representative_point_locates_to_it(grid: Grid) -> None:
    point = grid.polygon.representative_point()
    assert CITY.locator.locate(point.x, point.y) == grid.grid_id
    assert CITY.locate(point.x, point.y) == grid.grid_id


@pytest.mark.parametrize(
    ("lon", "lat", "community", "street", "district"),
    [
        (120.165, 33.39, "青年社区", "文峰街道", "亭湖区"),
        (120.17, 33.37, "双元社区", "先锋街道", "亭湖区"),
        (120.133, 33.39, "开放社区", "新都街道", "盐都区"),
        (120.135, 33.37, "仰徐社区", "潘黄街道", "盐都区"),
    ],
)
def test_known_places_locate_to_their_grids(
    lon: float, lat: float, community: str, street: str, district: str
) -> None:
    grid_id = CITY.locate(lon, lat)
    assert grid_id is not None
    assert [unit.name_zh for unit in CITY.ancestry(grid_id)] == [community, street, district]


def test_points_far_outside_the_city_locate_nowhere() -> None:
    assert CITY.locator.locate(118.78, 32.04) is None  # Nanjing
    assert CITY.locate(118.78, 32.04) is None
    assert not CITY.contains(118.78, 32.04)


def test_a_point_just_outside_the_edge_belongs_to_the_nearest_grid() -> None:
    west_vertex = min(OUTLINE.exterior.coords, key=lambda xy: xy[0])
    just_outside = (west_vertex[0] - 20 / 111_320, west_vertex[1])  # ~17 m west at this latitude
    far_outside = (west_vertex[0] - 200 / 111_320, west_vertex[1])
    assert CITY.locator.locate(*just_outside) is None
    assert CITY.contains(*just_outside)
    assert CITY.locate(*just_outside) in covering(CITY, *west_vertex)
    assert not CITY.contains(*far_outside)
    assert CITY.locate(*far_outside) is None


def test_nearest_reaches_no_further_than_asked() -> None:
    west_vertex = min(OUTLINE.exterior.coords, key=lambda xy: xy[0])
    outside = (west_vertex[0] - 30 / 111_320, west_vertex[1])
    assert CITY.locator.nearest(*outside, within_m=20) is None
    assert CITY.locator.nearest(*outside, within_m=40) is not None


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_coordinates_locate_nowhere(bad: float) -> None:
    assert CITY.locate(bad, 33.38) is None
    assert CITY.locator.locate(120.15, bad) is None


def test_every_shared_vertex_goes_to_the_smallest_covering_grid_whatever_the_order() -> None:
    vertices = {xy for grid in CITY.grids for xy in grid.polygon.exterior.coords}
    locators = [CITY.locator, shuffled_locator(1), shuffled_locator(2)]
    shared = 0
    for lon, lat in vertices:
        owners = covering(CITY, lon, lat)
        shared += len(owners) > 1
        assert {locator.locate(lon, lat) for locator in locators} == {owners[0]}
    assert shared > 20  # the lattice shares corners and mid-edge vertices


@settings(max_examples=300, deadline=None)
@given(
    pair=st.sampled_from(
        [
            (a, b)
            for a in CITY.grids
            for b in CITY.grids
            if a.grid_id < b.grid_id and a.polygon.intersection(b.polygon).length > 0
        ]
    ),
    fraction=st.floats(0, 1),
)
def test_a_point_on_a_shared_edge_goes_to_one_of_its_grids_deterministically(
    pair: tuple[Grid, Grid], fraction: float
) -> None:
    first, second = pair
    edge = first.polygon.boundary.intersection(second.polygon.boundary)
    point = edge.interpolate(fraction, normalized=True)
    answers = {locator.locate(point.x, point.y) for locator in (CITY.locator, shuffled_locator(3))}
    assert len(answers) == 1
    # An edge's ends are corners that further grids share; rounding may put the point a hair off the edge.
    nearby = {grid.grid_id for grid in CITY.grids if grid.polygon.distance(point) < 1e-9}
    assert answers <= nearby


lons = st.floats(WEST - MARGIN, EAST + MARGIN)
lats = st.floats(SOUTH - MARGIN, NORTH + MARGIN)


@settings(max_examples=500, deadline=None)
@given(lon=lons, lat=lats)
def test_no_point_of_the_bounding_box_lies_inside_two_grids(lon: float, lat: float) -> None:
    point = Point(lon, lat)
    assert sum(grid.polygon.contains(point) for grid in CITY.grids) <= 1
    located = CITY.locator.locate(lon, lat)
    if located is not None:
        assert CITY.grid(located).polygon.distance(point) < 1e-8


@settings(max_examples=500, deadline=None)
@given(lon=lons, lat=lats)
def test_every_point_inside_the_city_locates_to_exactly_one_grid(lon: float, lat: float) -> None:
    inside = OUTLINE.covers(Point(lon, lat))
    located = CITY.locator.locate(lon, lat)
    assert (located is not None) == inside or OUTLINE.exterior.distance(Point(lon, lat)) < 1e-8
    if located is not None:
        assert located in covering(CITY, lon, lat) or OUTLINE.exterior.distance(Point(lon, lat)) < 1e-8


@settings(max_examples=300, deadline=None)
@given(lon=lons, lat=lats)
def test_contains_is_exactly_where_locate_finds_a_grid(lon: float, lat: float) -> None:
    assert CITY.contains(lon, lat) == (CITY.locate(lon, lat) is not None)
    if OUTLINE.covers(Point(lon, lat)):
        assert CITY.contains(lon, lat)
    if OUTLINE.distance(Point(lon, lat)) > 1.01 * CITY_EDGE_TOLERANCE_M / 111_320 / 0.8:
        assert not CITY.contains(lon, lat)


class _Square:
    def __init__(self, grid_id: str, polygon: Polygon) -> None:
        self.grid_id, self.polygon = grid_id, polygon


def test_a_locator_over_thousands_of_grids_finds_each() -> None:
    squares = [
        _Square(f"g-{col:03d}-{row:03d}", box(col, row, col + 1, row + 1))
        for col in range(60)
        for row in range(60)
    ]
    locator = GridLocator(squares)
    assert locator.locate(17.5, 42.5) == "g-017-042"
    assert locator.locate(17.0, 42.0) == "g-016-041"  # a corner of four: the smallest id
    assert locator.locate(-0.5, 0.5) is None


def test_a_locator_refuses_duplicate_grid_ids() -> None:
    with pytest.raises(ValueError, match="not unique"):
        GridLocator([_Square("g-1", box(0, 0, 1, 1)), _Square("g-1", box(1, 0, 2, 1))])
