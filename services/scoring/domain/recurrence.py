"""Recurring problems: a case opened within ``recurrence_radius_m`` of a case of the same category that was
closed at most ``recurrence_days`` before — the problem was closed but came back. Only cases with a point
are compared (an address names a community, not a spot).

The radius and the days are the city's (``city/analysis.yaml``, ``AnalysisRules``); these are the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.scoring.domain.hotspots import AnalysisRules
from services.scoring.domain.places import Place
from shared.events.analysis import RecurrenceDetected

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance between two WGS-84 points (haversine; metres matter, not millimetres)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class ClosedNearby:
    case_id: UUID
    lon: float
    lat: float
    closed_at: datetime


def recurrence_of(
    lon: float, lat: float, opened_at: datetime, closed: list[ClosedNearby], rules: AnalysisRules
) -> tuple[ClosedNearby, float] | None:
    """The closed case this one repeats, if any: the nearest within the radius closed within the days."""
    since = opened_at - rules.recurrence_window()
    found = [(distance_m(lon, lat, c.lon, c.lat), c) for c in closed if since <= c.closed_at <= opened_at]
    near = [(d, c) for d, c in found if d <= rules.recurrence_radius_m]
    if not near:
        return None
    d, case = min(near, key=lambda pair: (pair[0], pair[1].closed_at))
    return case, d


def repeats(
    place: Place, closed: list[ClosedNearby], rules: AnalysisRules
) -> tuple[ClosedNearby, float] | None:
    """The closed case ``place``'s case repeats, and how far away; a case without a point repeats none."""
    if place.point is None:
        return None
    return recurrence_of(*place.point, place.opened_at, closed, rules)


def recurrence_alert(place: Place, earlier: ClosedNearby, distance: float) -> RecurrenceDetected:
    """The alert that ``place``'s case repeats ``earlier``, ``distance`` metres away."""
    assert place.grid_id is not None, "only cases in a grid are compared"
    return RecurrenceDetected(
        case_id=place.case_id,
        earlier_case_id=earlier.case_id,
        grid_id=place.grid_id,
        category=place.category,
        opened_at=place.opened_at,
        earlier_closed_at=earlier.closed_at,
        distance_m=round(distance, 1),
    )
