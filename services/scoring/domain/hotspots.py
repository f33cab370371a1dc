"""Analysis (研判): when a category spikes in a grid, and when a problem comes back after closing.

**Hotspot**: the cases of a category opened in a grid over the sliding window (``window_days`` up to the
opening of the newest) against the grid's own baseline for that category — the cases of the
``baseline_days`` before the window, scaled to the window's length. The window is hot when it holds at
least ``min_count`` cases and at least ``ratio`` × the baseline's expectation. One alert per grid and
category per window's length: a hot spell raises one alert, not one per case.

**Recurrence**: a case opened within ``recurrence_radius_m`` of a case of the same category that was closed
at most ``recurrence_days`` before — the problem was closed but came back.

The thresholds are the city's (``city/analysis.yaml``), with per-category overrides; these are the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

_HUNDREDTH = Decimal("0.01")
EARTH_RADIUS_M = 6_371_008.8


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    window_days: Decimal = Field(default=Decimal(7), gt=0)
    baseline_days: Decimal = Field(default=Decimal(56), gt=0)
    min_count: int = Field(default=3, ge=1)
    ratio: Decimal = Field(default=Decimal(2), ge=1)


class AnalysisRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    hotspot: Thresholds = Thresholds()
    # category → thresholds of its own (e.g. a rarer hazard spikes at fewer cases)
    categories: dict[str, Thresholds] = Field(default_factory=dict)
    recurrence_days: Decimal = Field(default=Decimal(30), gt=0)
    recurrence_radius_m: float = Field(default=100.0, gt=0)

    def thresholds(self, category: str) -> Thresholds:
        return self.categories.get(category, self.hotspot)

    def recurrence_window(self) -> timedelta:
        return timedelta(days=float(self.recurrence_days))


@dataclass(frozen=True)
class Windows:
    """The instants a hotspot check at ``now`` counts over: (window_start, now] and the baseline
    (baseline_start, window_start]."""

    baseline_start: datetime
    window_start: datetime
    now: datetime


def windows(now: datetime, thresholds: Thresholds) -> Windows:
    window = timedelta(days=float(thresholds.window_days))
    baseline = timedelta(days=float(thresholds.baseline_days))
    return Windows(baseline_start=now - window - baseline, window_start=now - window, now=now)


def expected(baseline_count: int, thresholds: Thresholds) -> Decimal:
    """The count a window of the usual kind holds, from the baseline."""
    return Decimal(baseline_count) * thresholds.window_days / thresholds.baseline_days


def is_hot(count: int, baseline_count: int, thresholds: Thresholds) -> bool:
    return count >= thresholds.min_count and count >= thresholds.ratio * expected(baseline_count, thresholds)


def printed(value: Decimal) -> str:
    return str(value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


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
