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
        """In a grid: its workers and chief can take the case."""
        return self.grid_id is not None

    @property
    def placed(self) -> bool:
        """In a community at least (a grid, or only an address the gazetteer knows)."""
        return self.community_id is not None


# A point in no grid: the case is opened for an operator to triage by hand, never dropped.
UNLOCATED = Jurisdiction(grid_id=None, community_id=None, street_id=None, district_id=None)


def locate(city: City, point: GeoPoint | None, address: str | None = None) -> Jurisdiction:
    """The grid covering a WGS-84 point (or the nearest one within the city's edge tolerance, exactly as
    intake's acceptance check uses) and its ancestry. When the point is in no grid (or there is none), the
    community the address names in the gazetteer, with no grid; `UNLOCATED` when neither places it."""
    grid_id = None if point is None else city.locate(point.lon, point.lat)
    if grid_id is not None:
        community, street, district = city.ancestry(grid_id)
        return Jurisdiction(grid_id, community.community_id, street.street_id, district.district_id)
    community_id = None if not address else city.community_for_address(address)
    if community_id is None:
        return UNLOCATED
    community = city.community(community_id)
    street = city.street(community.street_id)
    return Jurisdiction(None, community.community_id, street.street_id, street.district_id)
