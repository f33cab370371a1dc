"""A uniform grid of buckets over the city: which polygons a point can lie in, in constant time.

An STR-tree answers "which polygons may hold this point" by walking down a tree whose depth, and whose
share of memory the CPU cache cannot hold, grow with the number of grids: at 100,000 grids a lookup took
about 1.4 times as long as at 100. Grids are all about the same size, so a square lattice of buckets a
fraction of a grid wide does the same job with two array reads: each bucket lists the polygons that meet
it (sorted, so the first one covering a point is the smallest index), and a bucket lying wholly inside one
polygon that no other polygon meets answers without any geometry at all.

Each bucket is widened by a hair (``_SLACK_DEG``) when built, so a point that float rounding files into a
neighbouring bucket, and a polygon within the locator's edge slack of it, are still among its candidates.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import intersects_xy
from shapely.geometry.base import BaseGeometry

# Wider than the locator's edge slack (1e-9°), far narrower than anything on a map (4e-9° ≈ 0.4 mm).
_SLACK_DEG = 4e-9
# Buckets across a typical grid: more make more buckets whole-inside one grid (answered without geometry)
# at the cost of memory and build time. 3 × 3 a grid: ~9 buckets and ~20 candidate entries per grid.
_BUCKETS_ACROSS_A_GRID = 3
# A city spread thin over a large box (far-flung towns) would make a huge, mostly empty lattice: past
# this many buckets per polygon the buckets are made wider instead.
_MAX_BUCKETS_PER_POLYGON = 32
_MIN_BUCKETS = 1024
_BOXES_AT_ONCE = 50_000

EMPTY, INSIDE, MIXED = 0, 1, 2
NOWHERE, UNDECIDED = -1, -2


class BucketIndex:
    def __init__(self, polygons: Sequence[BaseGeometry], tree: shapely.STRtree | None = None) -> None:
        """``tree``: an STR-tree over the same polygons, if the caller has one."""
        geometries = np.asarray(polygons, dtype=object)
        west, south, east, north = shapely.total_bounds(geometries) if len(polygons) else (0, 0, 0, 0)
        size = _bucket_size(geometries, (east - west) * (north - south), len(polygons))
        self._west, self._south, self._inverse = west, south, 1.0 / size
        self._columns = max(1, math.ceil((east - west) / size))
        self._rows = max(1, math.ceil((north - south) / size))
        count = self._columns * self._rows
        tree = tree if tree is not None else shapely.STRtree(geometries)
        starts = np.zeros(count + 1, dtype=np.int64)
        kind = np.zeros(count, dtype=np.uint8)
        found: list[np.ndarray] = []
        # A few rows of buckets at a time: their boxes are geometries too, and a whole city's at once
        # would add hundreds of megabytes to the peak memory of a 100,000-grid city's load.
        rows_at_once = max(1, _BOXES_AT_ONCE // self._columns)
        for first_row in range(0, self._rows, rows_at_once):
            rows = range(first_row, min(first_row + rows_at_once, self._rows))
            column, row = np.meshgrid(np.arange(self._columns), np.asarray(rows))
            x0, y0 = west + column.ravel() * size, south + row.ravel() * size
            boxes = shapely.box(
                x0 - _SLACK_DEG, y0 - _SLACK_DEG, x0 + size + _SLACK_DEG, y0 + size + _SLACK_DEG
            )
            box_of, polygon_of = tree.query(boxes, predicate="intersects")
            # Each bucket's candidates in polygon order: the smallest index first.
            polygon_of = polygon_of[np.lexsort((polygon_of, box_of))]
            counts = np.bincount(box_of, minlength=len(boxes))
            offset = first_row * self._columns
            starts[offset + 1 : offset + len(boxes) + 1] = counts
            chunk_kind = np.where(counts > 0, MIXED, EMPTY).astype(np.uint8)
            single = np.flatnonzero(counts == 1)
            at = np.concatenate(([0], np.cumsum(counts)[:-1]))
            whole = shapely.contains(geometries[polygon_of[at[single]]], boxes[single])
            chunk_kind[single[whole]] = INSIDE
            kind[offset : offset + len(boxes)] = chunk_kind
            found.append(polygon_of)
        np.cumsum(starts, out=starts)
        polygon_of = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        # Plain arrays: indexing them with a Python int gives a Python int, several times faster than numpy.
        self._starts: array[int] = array("q", starts.tobytes())
        self._candidates: array[int] = array("q", polygon_of.astype(np.int64).tobytes())
        self._kind = bytes(kind.astype(np.uint8).tobytes())
        self._polygons = list(polygons)
        self._bounds: array[float] = array("d", shapely.bounds(geometries).astype(np.float64).tobytes())

    @property
    def buckets(self) -> int:
        return len(self._kind)

    def share_inside(self) -> float:
        """The share of buckets answered without geometry (wholly inside one polygon)."""
        return self._kind.count(INSIDE) / len(self._kind) if self._kind else 0.0

    def find(self, lon: float, lat: float) -> int:
        """The index of the first polygon covering the point (boundary included); ``NOWHERE`` when the
        point is in none and within the slack of none; ``UNDECIDED`` when this index cannot tell (outside
        the lattice, or in no candidate though near one: the caller asks the exact fallback)."""
        x = (lon - self._west) * self._inverse
        y = (lat - self._south) * self._inverse
        # Not "x < 0": NaN fails every comparison and must not reach int().
        if not (0.0 <= x < self._columns and 0.0 <= y < self._rows):
            return UNDECIDED
        bucket = int(y) * self._columns + int(x)
        kind = self._kind[bucket]
        if kind == EMPTY:
            return NOWHERE
        start = self._starts[bucket]
        if kind == INSIDE:
            return self._candidates[start]
        polygons, candidates, bounds = self._polygons, self._candidates, self._bounds
        for at in range(start, self._starts[bucket + 1]):
            polygon = candidates[at]
            # The bounding box first: four floats side by side, where the polygon itself lies elsewhere in
            # memory (at 100,000 grids, rarely in the CPU's cache).
            box = 4 * polygon
            if not (bounds[box] <= lon <= bounds[box + 2] and bounds[box + 1] <= lat <= bounds[box + 3]):
                continue
            if intersects_xy(polygons[polygon], lon, lat):
                return polygon
        return UNDECIDED


def _bucket_size(geometries: np.ndarray, area: float, polygons: int) -> float:
    if not polygons or area <= 0:
        return 1.0
    bounds = shapely.bounds(geometries)
    typical = float(np.median(np.minimum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])))
    size = max(typical / _BUCKETS_ACROSS_A_GRID, 1e-6)
    most = max(_MIN_BUCKETS, polygons * _MAX_BUCKETS_PER_POLYGON)
    if area / (size * size) > most:
        size = math.sqrt(area / most)
    return size
