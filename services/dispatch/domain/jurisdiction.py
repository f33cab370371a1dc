"""Where a report belongs: its grid and the community, street and district above it."""

from __future__ import annotations

from dataclasses import dataclass

from shared.city import City
from shared.events.reports import GeoPoint


@dataclass(frozen=True)
class Jurisdiction:
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    district_id: str | None

    @property
    def located(self) -> bool:
        return self.grid_id is not None


# A point in no grid: the case is opened for an operator to triage by hand, never dropped.
UNLOCATED = Jurisdiction(grid_id=None, community_id=None, street_id=None, district_id=None)


def locate(city: City, point: GeoPoint) -> Jurisdiction:
    """The grid covering a WGS-84 point (or the nearest one within the city's edge tolerance, exactly as
    intake's acceptance check uses) and its ancestry; `UNLOCATED` when the point is in no grid."""
    grid_id = city.locate(point.lon, point.lat)
    if grid_id is None:
        return UNLOCATED
    community, street, district = city.ancestry(grid_id)
    return Jurisdiction(
        grid_id=grid_id,
        community_id=community.community_id,
        street_id=street.street_id,
        district_id=district.district_id,
    )
