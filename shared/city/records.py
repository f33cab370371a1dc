"""The records a city is made of: its units, people, departments and grid apps.

Pure data: frozen pydantic models, no I/O. Ids are lower-case slugs that are unique across every kind of
unit in a city, so that a person's ``unit_id`` names exactly one grid, community, street, district,
department or the city itself.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from shapely.geometry import MultiPolygon, Polygon

from shared.city.duty import Shift, on_duty
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


# Shifts are frozen values and a city has only a handful of distinct ones: people share one object per
# shift, which keeps a 300,000-person city some hundreds of megabytes smaller. Same for roles and unit ids.
_SHIFTS: dict[Shift, Shift] = {}


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dated(Record):
    """A version of a record, in force from ``effective_from`` (inclusive) until ``effective_until``
    (exclusive: the first day it no longer holds). A missing date is open: since always, or for good."""

    effective_from: date | None = None
    effective_until: date | None = None

    def in_force_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day < self.effective_until
        )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Dated:
        if self.effective_from and self.effective_until and self.effective_until <= self.effective_from:
            raise ValueError(
                f"effective_until {self.effective_until} is not after effective_from {self.effective_from}"
            )
        return self


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


class Grid(Dated):
    """A grid and its WGS-84 (lon, lat) area. The polygon is not part of the record's serialised form.
    A redrawn boundary is a further version of the grid with later effective dates."""

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
    # The category codes it owns (categories.yaml names the same owner in each category's department_id).
    categories: tuple[str, ...] = ()


class Person(Dated):
    """Someone work is assigned to. A change of unit or role, a joining or a leaving, is a further version
    of the person (same ``person_id``) with later effective dates. No duty shifts: always on duty."""

    person_id: Id
    name: Name
    role: Role
    unit_id: Id
    duty: tuple[Shift, ...] = ()

    @field_validator("duty")
    @classmethod
    def _shared_shifts(cls, duty: tuple[Shift, ...]) -> tuple[Shift, ...]:
        return tuple(_SHIFTS.setdefault(shift, shift) for shift in duty) if len(_SHIFTS) < 4096 else duty

    @field_validator("role", "unit_id")
    @classmethod
    def _shared_text(cls, text: str) -> str:
        return sys.intern(text)

    def on_duty_at(self, local: datetime) -> bool:
        """Whether the person's shifts cover this local (city time zone) wall-clock moment."""
        return on_duty(self.duty, local)


class App(Record):
    """A grid app allowed to post reports. Only the SHA-256 of its API key is kept."""

    app_id: Id
    name: Name
    name_zh: Name
    source_types: tuple[SourceType, ...] = Field(min_length=1)
    api_key_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

    def may_post_as(self, source_type: str) -> bool:
        return source_type in self.source_types
