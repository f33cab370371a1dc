"""The records a city is made of: its units, people, departments and grid apps.

Pure data: frozen pydantic models, no I/O. Ids are lower-case slugs that are unique across every kind of
unit in a city, so that a person's ``unit_id`` names exactly one grid, community, street, district,
department or the city itself.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from shapely.geometry import MultiPolygon, Polygon

from shared.events.reports import SourceType

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

UnitKind = Literal["city", "district", "street", "community", "grid", "department"]
Role = Literal[
    "grid_worker",
    "grid_chief",
    "community_officer",
    "street_officer",
    "department_handler",
    "operator",
    "supervisor",
]
# The kinds of unit each role may serve: responsibility goes to a named person at one level.
UNIT_KINDS_OF_ROLE: dict[Role, frozenset[UnitKind]] = {
    "grid_worker": frozenset({"grid"}),
    "grid_chief": frozenset({"grid"}),
    "community_officer": frozenset({"community"}),
    "street_officer": frozenset({"street"}),
    "department_handler": frozenset({"department"}),
    "operator": frozenset({"district", "city"}),
    "supervisor": frozenset({"district", "city"}),
}


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class District(Record):
    district_id: Id
    name: Name
    name_zh: Name
    street_ids: tuple[Id, ...]


class Street(Record):
    street_id: Id
    name: Name
    name_zh: Name
    district_id: Id
    community_ids: tuple[Id, ...]


class Community(Record):
    community_id: Id
    name: Name
    name_zh: Name
    street_id: Id
    grid_ids: tuple[Id, ...]


class Grid(Record):
    """A grid and its WGS-84 (lon, lat) area. The polygon is not part of the record's serialised form."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    grid_id: Id
    name: Name
    name_zh: Name
    community_id: Id
    polygon: Polygon | MultiPolygon = Field(exclude=True, repr=False)


class Department(Record):
    department_id: Id
    name: Name
    name_zh: Name


class Person(Record):
    person_id: Id
    name: Name
    role: Role
    unit_id: Id


class App(Record):
    """A grid app allowed to post reports. Only the SHA-256 of its API key is kept."""

    app_id: Id
    name: Name
    name_zh: Name
    source_types: tuple[SourceType, ...] = Field(min_length=1)
    api_key_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

    def may_post_as(self, source_type: str) -> bool:
        return source_type in self.source_types
