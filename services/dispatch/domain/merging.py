"""The open-case index of one partition: which open case, if any, a new report duplicates.

A case is a merge target for a report of the same category when the report lies within the category's
radius of the case's location and within its window of the case's opening (event time: the reports'
``submitted_at``, so replaying the same reports gives the same answers). Several targets: the nearest,
then the earliest opened, then the smallest case id — one answer, whatever the insertion order.

Lookups cost the same whatever the number of open cases: cases sit in square buckets about the
category's radius wide, and a report looks at its own bucket and the eight around it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

# Metres per degree of latitude (and of longitude at the equator) on a sphere of the Earth's mean size.
METRES_PER_DEGREE = 111_195.0
# A bucket is a little wider than the radius: the longitude scale of a bucket row is taken at the row's
# middle, which differs from a point's own by a hair.
_BUCKET_SLACK = 1.05


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(slots=True)
class OpenCase:
    case_id: UUID
    report_id: UUID  # the report that opened it
    category: str
    lon: float
    lat: float
    opened_at: float  # epoch seconds, the opening report's submitted_at
    # The category's merge rule as the index applies it (the rules in force, also after a restart).
    radius_m: float
    window_s: float


@dataclass(frozen=True)
class Match:
    case: OpenCase
    distance_m: float


# A bucket's row and column packed into one int (per category): a million open cases, a million keys.
BucketKey = int
_COLUMN_SPAN = 1 << 32


class OpenCaseIndex:
    def __init__(self) -> None:
        self._cases: dict[UUID, OpenCase] = {}
        self._buckets: dict[str, dict[BucketKey, list[UUID]]] = {}

    def __len__(self) -> int:
        return len(self._cases)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._cases

    def get(self, case_id: UUID) -> OpenCase | None:
        return self._cases.get(case_id)

    def cases(self) -> Iterator[OpenCase]:
        return iter(self._cases.values())

    def add(self, case: OpenCase) -> None:
        self.remove(case.case_id)
        self._cases[case.case_id] = case
        key = _bucket(case.radius_m, case.lon, case.lat)
        self._buckets.setdefault(case.category, {}).setdefault(key, []).append(case.case_id)

    def remove(self, case_id: UUID) -> OpenCase | None:
        case = self._cases.pop(case_id, None)
        if case is None:
            return None
        buckets = self._buckets[case.category]
        key = _bucket(case.radius_m, case.lon, case.lat)
        members = buckets[key]
        members.remove(case_id)
        if not members:
            del buckets[key]
        return case

    def match(
        self, *, category: str, lon: float, lat: float, at: float, radius_m: float, window_s: float
    ) -> Match | None:
        """The open case a report of ``category`` at (lon, lat), submitted at ``at``, joins; or None."""
        best: OpenCase | None = None
        best_rank = (math.inf, math.inf)
        buckets = self._buckets.get(category, {})
        for key in _neighbourhood(radius_m, lon, lat):
            for case_id in buckets.get(key, ()):
                case = self._cases[case_id]
                if abs(at - case.opened_at) > window_s:
                    continue
                distance = distance_m(lon, lat, case.lon, case.lat)
                if distance > radius_m:
                    continue
                rank = (distance, case.opened_at)
                # The case id's text breaks exact ties only: spelled out for those alone.
                if (
                    best is None
                    or rank < best_rank
                    or (rank == best_rank and str(case.case_id) < str(best.case_id))
                ):
                    best, best_rank = case, rank
        return None if best is None else Match(case=best, distance_m=best_rank[0])


def _row_and_scale(radius_m: float, lat: float) -> tuple[int, float]:
    size_deg = radius_m * _BUCKET_SLACK / METRES_PER_DEGREE
    return math.floor(lat / size_deg), size_deg


def _column(row: int, size_deg: float, lon: float) -> int:
    middle = (row + 0.5) * size_deg
    width = size_deg / max(math.cos(math.radians(middle)), 0.01)
    return math.floor(lon / width)


def _bucket(radius_m: float, lon: float, lat: float) -> BucketKey:
    row, size = _row_and_scale(radius_m, lat)
    return _pack(row, _column(row, size, lon))


def _pack(row: int, column: int) -> BucketKey:
    # Columns stay far inside ±2³¹ for any radius the rules allow (≥ 1 m), so packing is one-to-one.
    return row * _COLUMN_SPAN + column


def _neighbourhood(radius_m: float, lon: float, lat: float) -> Iterator[BucketKey]:
    row, size = _row_and_scale(radius_m, lat)
    for r in (row - 1, row, row + 1):
        column = _column(r, size, lon)
        for c in (column - 1, column, column + 1):
            yield _pack(r, c)
