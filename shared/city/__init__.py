"""The city as validated data: its org tree, grids, people, categories and grid apps.

``load_city(path)`` reads and checks the files in ``city/``; ``City`` answers lookups; ``GridLocator``
finds the grid of a point; ``to_wgs84`` and ``report_cell`` turn reported coordinates into the
platform's WGS-84 points and the reports topic's partition key.
"""

from shared.city.catalogue import Category, CategoryGroup, iso_duration
from shared.city.coordinates import (
    REPORT_CELL_RESOLUTION,
    gcj02_to_wgs84,
    report_cell,
    to_wgs84,
    wgs84_to_gcj02,
)
from shared.city.errors import CityDataError, Problem
from shared.city.loader import load_city
from shared.city.locator import GridLocator
from shared.city.models import CITY_EDGE_TOLERANCE_M, City
from shared.city.records import (
    App,
    Community,
    Department,
    District,
    Grid,
    Person,
    Role,
    Street,
    UnitKind,
)
from shared.city.units import enclosing_units
from shared.events.cases import Nature, Priority, Tier

__all__ = [
    "CITY_EDGE_TOLERANCE_M",
    "REPORT_CELL_RESOLUTION",
    "App",
    "Category",
    "CategoryGroup",
    "City",
    "CityDataError",
    "Community",
    "Department",
    "District",
    "Grid",
    "GridLocator",
    "Nature",
    "Person",
    "Priority",
    "Problem",
    "Role",
    "Street",
    "Tier",
    "UnitKind",
    "enclosing_units",
    "gcj02_to_wgs84",
    "iso_duration",
    "load_city",
    "report_cell",
    "to_wgs84",
    "wgs84_to_gcj02",
]
