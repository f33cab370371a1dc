"""Analysis (研判) alerts raised by scoring from the case events: hotspots and recurring problems.

Both are keyed by grid id, so one grid's alerts stay in order. Thresholds are the city's
(``city/analysis.yaml``); each alert carries the figures it was raised on, so anyone can check it.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.events.base import Event


class HotspotDetected(Event):
    """A category spiked in a grid: its cases opened in the sliding window reached the threshold against
    the grid's own baseline for that category (the same length of time, on average, before the window)."""

    event_type: ClassVar[str] = "gridloop.analysis.hotspot_detected.v1"

    grid_id: str
    community_id: str | None
    street_id: str | None
    district_id: str | None
    category: str
    # The window [window_start, window_end]; window_end is when the case that tipped it was opened.
    window_start: AwareDatetime
    window_end: AwareDatetime
    count: int = Field(ge=0)
    # Cases of the category in the grid during the baseline period before the window, and the count
    # that baseline predicts for a window ("1.50"): the alert fired at count ≥ ratio × expected.
    baseline_count: int = Field(ge=0)
    expected: str
    ratio: str
    case_ids: tuple[UUID, ...]

    def partition_key(self) -> str:
        return self.grid_id


class RecurrenceDetected(Event):
    """A problem came back: a case of the same category opened near a case closed not long before."""

    event_type: ClassVar[str] = "gridloop.analysis.recurrence_detected.v1"

    case_id: UUID
    earlier_case_id: UUID
    grid_id: str
    category: str
    opened_at: AwareDatetime
    earlier_closed_at: AwareDatetime
    distance_m: float = Field(ge=0)

    def partition_key(self) -> str:
        return self.grid_id
