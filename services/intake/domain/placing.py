"""Which key an accepted report gets on the reports topic.

Dispatch keeps each partition's open-case index and workload to itself, so reports that may merge must
share a partition: a report with a point is keyed by the H3 cell (res 6) of the point. A report with only
an address never merges (merging is by distance, and an address names a community, not a spot), but its
case still goes to the community's people and counts in the workload of the partition that opens it. So
when the gazetteer names the address's community, the report is keyed by the cell of a point inside that
community — the representative point of its grids' union, stable as long as the boundaries are — which
puts it in the partition of the point reports around it. When the gazetteer names none, the report has
no place: its key is its own id (``ReportSubmitted.partition_key``), as good as any and evenly spread.

Pure: the city is passed in.
"""

from __future__ import annotations

from collections import defaultdict

from shapely import union_all
from shapely.geometry.base import BaseGeometry

from shared.city import City
from shared.city.coordinates import report_cell
from shared.city.gazetteer import normalise


def meaningful_address(address: str | None) -> str | None:
    """The address trimmed, or None when it holds nothing but spaces and punctuation: that names no
    place, so it counts as no address."""
    if address is None or not normalise(address):
        return None
    return address.strip()


class CommunityCells:
    """The key cell of each community of one registry, computed on first use and kept."""

    def __init__(self, city: City) -> None:
        self._city = city
        self._polygons: dict[str, list[BaseGeometry]] | None = None
        self._cells: dict[str, str | None] = {}

    def cell_of(self, community_id: str) -> str | None:
        """The H3 cell of a point inside the community's grids; None for a community without grids."""
        if community_id not in self._cells:
            polygons = self._grid_polygons().get(community_id)
            if not polygons:
                self._cells[community_id] = None
            else:
                point = union_all(polygons).representative_point()
                self._cells[community_id] = report_cell(point.x, point.y)
        return self._cells[community_id]

    def cell_for_address(self, address: str) -> str | None:
        """The key cell of the community the gazetteer finds for an address, or None when it finds none."""
        community_id = self._city.community_for_address(address)
        return None if community_id is None else self.cell_of(community_id)

    def _grid_polygons(self) -> dict[str, list[BaseGeometry]]:
        if self._polygons is None:
            grouped: defaultdict[str, list[BaseGeometry]] = defaultdict(list)
            for grid in sorted(self._city.grids, key=lambda g: g.grid_id):
                grouped[grid.community_id].append(grid.polygon)
            self._polygons = dict(grouped)
        return self._polygons
