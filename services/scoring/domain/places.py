"""Where and when a case was opened, as analysis keeps it: the ground its hotspot and recurrence checks and
the trend API stand on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.events.cases import CaseOpened


@dataclass(frozen=True)
class Place:
    case_id: UUID
    category: str
    # None when the case lies in no grid; a point of None when its report gave only an address.
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    district_id: str | None
    lon: float | None
    lat: float | None
    opened_at: datetime
    closed_at: datetime | None = None
    # The closed case this one repeats, once found.
    recurrence_of: UUID | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        """(lon, lat), or None for a case placed only by its address."""
        return None if self.lon is None or self.lat is None else (self.lon, self.lat)


def place_of(event: CaseOpened) -> Place:
    return Place(
        case_id=event.case_id,
        category=event.category,
        grid_id=event.grid_id,
        community_id=event.community_id,
        street_id=event.street_id,
        district_id=event.district_id,
        lon=None if event.location is None else event.location.lon,
        lat=None if event.location is None else event.location.lat,
        opened_at=event.occurred_at,
    )
