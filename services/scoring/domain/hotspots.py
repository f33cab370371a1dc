"""Analysis (研判): when a category spikes in a grid, and when a problem comes back after closing.

**Hotspot**: the cases of a category opened in a grid over the sliding window (``window_days`` up to the
opening of the newest) against the grid's own baseline for that category — the cases of the
``baseline_days`` before the window, scaled to the window's length. The window is hot when it holds at
least ``min_count`` cases and at least ``ratio`` × the baseline's expectation. One alert per grid and
category per window's length: a hot spell raises one alert, not one per case.

**Recurrence** (``recurrence.py``): a case opened within ``recurrence_radius_m`` of a case of the same
category that was closed at most ``recurrence_days`` before — the problem was closed but came back.

The thresholds are the city's (``city/analysis.yaml``), with per-category overrides; these are the rules.

A check runs when a case's opening is consumed, over the window ending at the latest opening of its grid
and category consumed so far within a window after it (its anchor): one grid's cases lie in different
partitions and may be consumed out of order, and whichever order they come in, the spell is found once all
are in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.scoring.domain.places import Place
from shared.events.analysis import HotspotDetected

_HUNDREDTH = Decimal("0.01")


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


def anchor_reach(opened_at: datetime, thresholds: Thresholds) -> tuple[datetime, datetime]:
    """[start, end) in which a check at an opening looks for its anchor, the latest opening of the grid
    and category consumed so far: a case consumed after later ones (another partition) still counts
    with them."""
    return opened_at, opened_at + timedelta(days=float(thresholds.window_days))


@dataclass(frozen=True)
class Spell:
    """A hotspot check's count over the windows ending at its anchor."""

    span: Windows
    # The cases opened in the window (window_start, now], in order of opening.
    case_ids: tuple[UUID, ...]
    # How many were opened in the baseline (baseline_start, window_start].
    baseline_count: int

    @property
    def guard(self) -> tuple[datetime, datetime]:
        """One alert per hot spell: an alert of the grid and category raised strictly between these
        instants (a window's length either side of this spell's end) already stands for this one."""
        window = self.span.now - self.span.window_start
        return self.span.now - window, self.span.now + window


def spell_of(span: Windows, openings: Sequence[tuple[UUID, datetime]]) -> Spell:
    """The count of ``openings``: the (case id, opened at) of the grid and category in
    (baseline_start, now], in order of opening."""
    in_window = tuple(case_id for case_id, opened_at in openings if opened_at > span.window_start)
    return Spell(span=span, case_ids=in_window, baseline_count=len(openings) - len(in_window))


def hotspot_alert(place: Place, spell: Spell, thresholds: Thresholds) -> HotspotDetected | None:
    """The alert of the spell an opening at ``place`` belongs to; None when the spell is not hot."""
    if not is_hot(len(spell.case_ids), spell.baseline_count, thresholds):
        return None
    assert place.grid_id is not None, "hotspots are per grid"
    return HotspotDetected(
        grid_id=place.grid_id,
        community_id=place.community_id,
        street_id=place.street_id,
        district_id=place.district_id,
        category=place.category,
        window_start=spell.span.window_start,
        window_end=spell.span.now,
        count=len(spell.case_ids),
        baseline_count=spell.baseline_count,
        expected=printed(expected(spell.baseline_count, thresholds)),
        ratio=printed(thresholds.ratio),
        case_ids=spell.case_ids,
    )
