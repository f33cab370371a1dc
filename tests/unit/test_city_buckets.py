"""The bucket lattice in front of the locator answers exactly what the STR-tree alone answered: for points
anywhere, on every vertex and along every edge of a synthetic city and of the sample city."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import STRtree
from shapely.geometry import Point, box

from shared.city import City, GridLocator, load_city
from shared.city.buckets import BucketIndex
from tools.make_synthetic_city import write

SAMPLE = load_city(Path(__file__).resolve().parents[2] / "city")
SLACK_DEG = 1e-9  # the locator's edge slack


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> City:
    out = tmp_path_factory.mktemp("buckets")
    write(out, 300, seed=11)
    return load_city(out)


def by_tree_alone(city: City, lon: float, lat: float) -> str | None:
    """The locator's answer as it was before the buckets: the smallest id among the grids covering the
    point, else among those within the edge slack."""
    grids = sorted(city.grids, key=lambda grid: grid.grid_id)
    tree = STRtree([grid.polygon for grid in grids])
    point = Point(lon, lat)
    hits = tree.query(point, predicate="intersects")
    if not hits.size:
        hits = tree.query_nearest(point, max_distance=SLACK_DEG, all_matches=True)
    return grids[int(np.min(hits))].grid_id if hits.size else None


def edge_points(city: City, per_edge: int = 3) -> list[tuple[float, float]]:
    """Every vertex of every grid and points along each of its edges (computed, so a hair off the edge)."""
    points = []
    for grid in city.grids:
        coords = shapely.get_coordinates(grid.polygon.boundary)
        for (x1, y1), (x2, y2) in itertools.pairwise(coords):
            points += [
                (x1 + (x2 - x1) * k / per_edge, y1 + (y2 - y1) * k / per_edge) for k in range(per_edge)
            ]
    return points


@pytest.mark.parametrize("which", ["sample", "synthetic"])
def test_on_every_vertex_and_edge_the_buckets_agree_with_the_tree(
    which: str, request: pytest.FixtureRequest
) -> None:
    city = SAMPLE if which == "sample" else request.getfixturevalue("synthetic")
    locator = GridLocator(city.grids)
    points = edge_points(city)

    wrong = [(x, y) for x, y in points if locator.locate(x, y) != by_tree_alone(city, x, y)]
    assert wrong == []


@settings(max_examples=300, deadline=None)
@given(u=st.floats(-0.05, 1.05), v=st.floats(-0.05, 1.05))
def test_anywhere_in_and_around_the_city_the_buckets_agree_with_the_tree(u: float, v: float) -> None:
    west, south, east, north = SAMPLE.outline.bounds
    lon, lat = west + u * (east - west), south + v * (north - south)
    assert SAMPLE.locator.locate(lon, lat) == by_tree_alone(SAMPLE, lon, lat)


def test_a_bucket_wholly_inside_one_grid_answers_without_geometry(synthetic: City) -> None:
    polygons = [grid.polygon for grid in sorted(synthetic.grids, key=lambda grid: grid.grid_id)]
    index = BucketIndex(polygons)

    assert 0.2 < index.share_inside() < 1.0  # a third, at three buckets across a grid


def test_overlapping_squares_go_to_the_smallest_index_on_their_overlap() -> None:
    index = BucketIndex([box(0, 0, 2, 2), box(1, 1, 3, 3), box(10, 10, 11, 11)])

    assert index.find(1.5, 1.5) == 0
    assert index.find(2.5, 2.5) == 1
    assert index.find(0.5, 0.5) == 0
    assert index.find(5.0, 5.0) < 0  # in no square


def test_the_lattice_of_a_city_spread_thin_stays_bounded() -> None:
    # Two tiny squares a degree apart: one bucket a third of a square wide would need millions.
    index = BucketIndex([box(0, 0, 0.001, 0.001), box(1, 1, 1.001, 1.001)])

    assert index.buckets <= 2 * 1024
    assert index.find(0.0005, 0.0005) == 0
    assert index.find(1.0005, 1.0005) == 1
