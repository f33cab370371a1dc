"""Coordinates as grid apps send them, turned into the WGS-84 points the platform works in.

Chinese consumer maps (AMap, Tencent, Google China) give GCJ-02 coordinates, which are WGS-84 pushed by
a published non-linear offset of a few hundred metres. No maintained PyPI package offers a GCJ-02
inverse better than one metre (``coordtransform`` does one correction step, up to ~4 m off; the precise
``prcoords`` has had no release since 2019), so the inverse is done here.

Sources, all public:
- the forward transform (``_gcj02_offset``) as leaked and reproduced in googollee/eviltransform (MIT)
  and Artoria2e5/PRCoords (CC0): Krasovsky 1940 ellipsoid, the polynomial-plus-sines offset;
- the inverse by fixed-point iteration ("caijun 2014", caijun/geoChina ``gcj2wgs_exact``, also
  PRCoords ``gcj_wgs_bored``): guess w = g, then w -= forward(w) - g until the step is negligible.
"""

from __future__ import annotations

import math

import h3

from shared.events.reports import CoordinateSystem

# The reports topic is keyed by this H3 cell: ~36 km² (res 6) keeps one neighbourhood in one partition.
REPORT_CELL_RESOLUTION = 6

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_INVERSE_TOLERANCE_DEG = 1e-10  # ~0.01 mm
_INVERSE_MAX_STEPS = 30


def to_wgs84(lon: float, lat: float, crs: CoordinateSystem) -> tuple[float, float]:
    """(lon, lat) in WGS-84 for a point given in ``crs``. Raises ValueError on an unknown crs or a
    coordinate that is not a finite lon/lat."""
    _check_lon_lat(lon, lat)
    if crs == "WGS84":
        return lon, lat
    if crs == "GCJ02":
        return gcj02_to_wgs84(lon, lat)
    raise ValueError(f"unknown coordinate system {crs!r}; expected 'WGS84' or 'GCJ02'")


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 (lon, lat) a Chinese map shows for a WGS-84 point; outside China it is unchanged."""
    if _outside_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj02_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The WGS-84 (lon, lat) of a GCJ-02 point, exact to well under a millimetre."""
    if _outside_china(lon, lat):
        return lon, lat
    wgs_lon, wgs_lat = lon, lat
    for _ in range(_INVERSE_MAX_STEPS):
        shifted_lon, shifted_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        step_lon, step_lat = shifted_lon - lon, shifted_lat - lat
        wgs_lon, wgs_lat = wgs_lon - step_lon, wgs_lat - step_lat
        if abs(step_lon) < _INVERSE_TOLERANCE_DEG and abs(step_lat) < _INVERSE_TOLERANCE_DEG:
            break
    return wgs_lon, wgs_lat


def report_cell(lon: float, lat: float) -> str:
    """The H3 cell (resolution 6) of a WGS-84 point: the partition key of the reports topic."""
    _check_lon_lat(lon, lat)
    return str(h3.latlng_to_cell(lat, lon, REPORT_CELL_RESOLUTION))


def _check_lon_lat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"coordinates must be finite numbers, got ({lon}, {lat})")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"({lon}, {lat}) is not a longitude/latitude pair")


def _outside_china(lon: float, lat: float) -> bool:
    # The rectangle every public implementation uses: GCJ-02 leaves points outside it as they are.
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj02_offset(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    sines_x = 20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)
    d_lat_m = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (sines_x + 20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon_m = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (sines_x + 20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = d_lat_m * 180.0 / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = d_lon_m * 180.0 / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat
