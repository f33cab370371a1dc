"""Reported coordinates become WGS-84 points, and every point has its reports-topic cell."""

from __future__ import annotations

import math

import h3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from shared.city import gcj02_to_wgs84, report_cell, to_wgs84, wgs84_to_gcj02


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    hav = (
        math.sin(math.radians(lat2 - lat1) / 2) ** 2
        + math.cos(math.radians(lat1))
        * math.cos(math.radians(lat2))
        * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(hav))


# GCJ-02 values computed by an independent implementation (PyPI coordtransform 0.2.1).
REFERENCE = [
    ((120.15, 33.38), (120.15498669573383, 33.37860453116503)),  # Yancheng
    ((116.397428, 39.90923), (116.40367162595768, 39.91063350638631)),  # Beijing, Tian'anmen
    ((121.4737, 31.2304), (121.47822305927693, 31.22845773757727)),  # Shanghai
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_matches_the_published_transform(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert metres_between(wgs84_to_gcj02(*wgs), gcj) < 0.001


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_point_reported_by_a_chinese_map_converts_back_to_wgs84(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert metres_between(to_wgs84(*gcj, "GCJ02"), wgs) < 0.01


def test_gcj02_offset_around_yancheng_is_hundreds_of_metres() -> None:
    assert 300 < metres_between((120.15, 33.38), wgs84_to_gcj02(120.15, 33.38)) < 700


@settings(max_examples=500)
@given(lon=st.floats(73.0, 135.0), lat=st.floats(18.0, 53.5))
def test_gcj02_round_trip_within_one_metre(lon: float, lat: float) -> None:
    assert metres_between(gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), (lon, lat)) < 1.0
    assert metres_between(to_wgs84(*wgs84_to_gcj02(lon, lat), "GCJ02"), (lon, lat)) < 1.0


@given(lon=st.floats(-180, 180), lat=st.floats(-90, 90))
def test_wgs84_is_returned_as_given(lon: float, lat: float) -> None:
    assert to_wgs84(lon, lat, "WGS84") == (lon, lat)


@pytest.mark.parametrize("point", [(2.35, 48.86), (-74.0, 40.7), (139.7, 35.7)])
def test_outside_china_gcj02_is_wgs84(point: tuple[float, float]) -> None:
    assert wgs84_to_gcj02(*point) == point
    assert to_wgs84(*point, "GCJ02") == point


def test_unknown_coordinate_system_is_refused() -> None:
    with pytest.raises(ValueError, match="BD09"):
        to_wgs84(120.15, 33.38, "BD09")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "point", [(float("nan"), 33.38), (120.15, float("inf")), (33.38, 120.15), (200.0, 0.0)]
)
def test_impossible_coordinates_are_refused(point: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match=r"finite|longitude/latitude"):
        to_wgs84(*point, "GCJ02")
    with pytest.raises(ValueError, match=r"finite|longitude/latitude"):
        report_cell(*point)


def test_report_cell_is_the_resolution_6_h3_cell_of_the_point() -> None:
    cell = report_cell(120.15, 33.38)
    assert h3.is_valid_cell(cell)
    assert h3.get_resolution(cell) == 6
    assert cell == h3.latlng_to_cell(33.38, 120.15, 6)  # latitude first in h3
    assert report_cell(120.1501, 33.3801) == cell  # ~15 m away: same neighbourhood, same partition


@given(lon=st.floats(73.0, 135.0), lat=st.floats(18.0, 53.5))
def test_report_cell_contains_its_point(lon: float, lat: float) -> None:
    hexagon = Polygon(
        [(cell_lon, cell_lat) for cell_lat, cell_lon in h3.cell_to_boundary(report_cell(lon, lat))]
    )
    assert hexagon.distance(Point(lon, lat)) < 1e-9
