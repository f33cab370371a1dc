"""Which grid a WGS-84 point lies in.

A lattice of buckets over the city (``shared.city.buckets``) finds the few grids a point can lie in with
two array reads, whatever the number of grids; an STR-tree over the polygons answers the rest (points off
the lattice, the nearest grid within a distance). A point on a boundary shared by several grids goes to
the one with the smallest ``grid_id``, so the answer never depends on the order the grids were given in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np
from shapely import STRtree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from shared.city.buckets import NOWHERE, BucketIndex

# A degree of latitude is the longest a degree gets, so metres / this never reaches further than asked.
METRES_PER_DEGREE = 111_320.0
# Float rounding can leave a point computed on a shared edge a hair outside every grid (~0.1 mm).
_EDGE_SLACK_DEG = 1e-9


class LocatableGrid(Protocol):
    @property
    def grid_id(self) -> str: ...

    @property
    def polygon(self) -> BaseGeometry: ...


class GridLocator:
    def __init__(self, grids: Iterable[LocatableGrid]) -> None:
        # Sorted by id, so the smallest tree index among several hits is the smallest grid_id.
        ordered = sorted(grids, key=lambda grid: grid.grid_id)
        self._grid_ids = tuple(grid.grid_id for grid in ordered)
        if len(set(self._grid_ids)) != len(self._grid_ids):
            raise ValueError("grid ids given to GridLocator are not unique")
        polygons = [grid.polygon for grid in ordered]
        # Not prepared (shapely.prepare): the buckets leave a point one or two polygons to test, for which
        # a plain polygon is as quick, and 100,000 grids' prepared geometry took ~100 MB more.
        self._tree = STRtree(polygons)
        self._buckets = BucketIndex(polygons, self._tree)

    @property
    def grid_ids(self) -> tuple[str, ...]:
        return self._grid_ids

    def locate(self, lon: float, lat: float) -> str | None:
        """The grid covering the point (boundary included), or None if no grid does."""
        found = self._buckets.find(lon, lat)
        if found >= 0:
            return self._grid_ids[found]
        if found == NOWHERE:
            return None
        # Outside the lattice, or a hair off every candidate's edge: the tree decides, as it always did.
        point = Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")
        if hits.size:
            return self._grid_ids[int(np.min(hits))]
        return self._nearest_within(point, _EDGE_SLACK_DEG)

    def nearest(self, lon: float, lat: float, *, within_m: float) -> str | None:
        """The covering grid, else the closest grid at most ``within_m`` metres away, else None.

        Distances are measured in degrees and converted with the length of a degree of latitude, so
        east–west the reach is a little shorter than ``within_m`` (cos(latitude)), never longer.
        """
        located = self.locate(lon, lat)
        if located is not None or within_m <= 0:
            return located
        return self._nearest_within(Point(lon, lat), within_m / METRES_PER_DEGREE)

    def _nearest_within(self, point: Point, max_distance_deg: float) -> str | None:
        if not (np.isfinite(point.x) and np.isfinite(point.y)):
            return None
        hits = self._tree.query_nearest(point, max_distance=max_distance_deg, all_matches=True)
        if not hits.size:
            return None
        return self._grid_ids[int(np.min(hits))]
