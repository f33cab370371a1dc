"""The city as one validated, immutable value: its org tree, grids, people, catalogue and grid apps.

``shared.city.loader.load_city`` builds it from the files in ``city/`` after checking every cross
reference; the lookups here can then trust that every id they hand out exists.
"""

from __future__ import annotations

import hashlib
import hmac
import zoneinfo
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import Field, StringConstraints
from shapely import union_all
from shapely.geometry.base import BaseGeometry

from shared.city.catalogue import Category, CategoryGroup
from shared.city.gazetteer import Gazetteer
from shared.city.locator import GridLocator
from shared.city.records import (
    App,
    Community,
    Department,
    District,
    Grid,
    Id,
    Name,
    Person,
    Record,
    Role,
    Street,
    UnitKind,
)

if TYPE_CHECKING:
    from shared.city.history import CityHistory

# GPS fixes wander: a report this close outside the outermost grid still belongs to the city,
# and to its nearest grid.
CITY_EDGE_TOLERANCE_M = 50.0

_R = TypeVar("_R")
_KIND_OF_RECORD: dict[type, UnitKind] = {
    District: "district",
    Street: "street",
    Community: "community",
    Grid: "grid",
    Department: "department",
}


class City(Record):
    """The registry in force on one day (``load_city`` gives today's; ``as_of`` any other day's)."""

    city_id: Id
    name: Name
    name_zh: Name
    timezone: Annotated[str, StringConstraints(min_length=1)]
    version: Annotated[str, StringConstraints(min_length=1)]
    effective_from: date
    districts: tuple[District, ...]
    streets: tuple[Street, ...]
    communities: tuple[Community, ...]
    grids: tuple[Grid, ...]
    departments: tuple[Department, ...]
    people: tuple[Person, ...]
    category_groups: tuple[CategoryGroup, ...]
    apps: tuple[App, ...]
    gazetteer: Gazetteer = Field(default_factory=Gazetteer)

    # The indexes live in slots, not in pydantic private attributes: pydantic reads those through
    # BaseModel.__getattr__ (~1.5 µs a read), and dispatch reads them a dozen times per report. They are
    # set (and typed) in model_post_init, which model_construct (a registry view) runs too; unannotated
    # here, or pydantic would make them private attributes again. A City is never copied.
    __slots__ = ("_by_id", "_categories", "_history", "_locator", "_members", "_outline", "_zone")

    def model_post_init(self, context: Any, /) -> None:
        units: list[Any] = [*self.districts, *self.streets, *self.communities, *self.grids]
        by_id: dict[str, Any] = {_id_of(unit): unit for unit in units}
        by_id.update({d.department_id: d for d in self.departments})
        by_id.update({p.person_id: p for p in self.people})
        by_id.update({a.app_id: a for a in self.apps})
        members: defaultdict[str, list[Person]] = defaultdict(list)
        for person in sorted(self.people, key=lambda p: p.person_id):
            members[person.unit_id].append(person)
        self._by_id: dict[str, Any] = by_id
        self._members: dict[str, tuple[Person, ...]] = {
            unit_id: tuple(people) for unit_id, people in members.items()
        }
        self._categories: dict[str, Category] = {
            c.code: c for group in self.category_groups for c in group.categories
        }
        self._zone = zoneinfo.ZoneInfo(self.timezone)
        self._locator: GridLocator | None = None
        self._outline: BaseGeometry | None = None
        # Every version of the registry, when this City was loaded from files; None for one built by
        # hand, which then stands for every day.
        self._history: CityHistory | None = None

    # --- versions -----------------------------------------------------------------------------

    def as_of(self, day: date) -> City:
        """The registry in force on ``day`` (in the city's time zone): the grid boundaries, people, units
        and roles of that day. Built once per period between change days, then cached."""
        return self if self._history is None else self._history.view(day)

    @property
    def change_dates(self) -> tuple[date, ...]:
        """The days on which some grid boundary or person changes, in order."""
        return () if self._history is None else self._history.change_dates

    def local_time(self, at: datetime) -> datetime:
        """A moment as the city's wall clock shows it; a naive datetime is taken as already local."""
        return at.astimezone(self._zone) if at.tzinfo is not None else at

    # --- the org tree -------------------------------------------------------------------------

    def grid(self, grid_id: str) -> Grid:
        return self._get(grid_id, Grid)

    def community(self, community_id: str) -> Community:
        return self._get(community_id, Community)

    def street(self, street_id: str) -> Street:
        return self._get(street_id, Street)

    def district(self, district_id: str) -> District:
        return self._get(district_id, District)

    def department(self, department_id: str) -> Department:
        return self._get(department_id, Department)

    def ancestry(self, grid_id: str) -> tuple[Community, Street, District]:
        """The community, street and district a grid belongs to."""
        community = self.community(self.grid(grid_id).community_id)
        street = self.street(community.street_id)
        return community, street, self.district(street.district_id)

    def unit_kind(self, unit_id: str) -> UnitKind | None:
        """Which kind of unit an id names, or None if it names none."""
        if unit_id == self.city_id:
            return "city"
        return _KIND_OF_RECORD.get(type(self._by_id.get(unit_id)))

    # --- people -------------------------------------------------------------------------------

    def person(self, person_id: str) -> Person:
        return self._get(person_id, Person)

    def members_of(self, unit_id: str, *, role: Role | None = None) -> tuple[Person, ...]:
        """The people serving a unit (optionally only those in one role), ordered by person_id."""
        people = self._members.get(unit_id, ())
        return people if role is None else tuple(p for p in people if p.role == role)

    def workers_of(self, grid_id: str) -> tuple[Person, ...]:
        """The grid workers of a grid, ordered by person_id (at least one in a loaded city)."""
        return self.members_of(self.grid(grid_id).grid_id, role="grid_worker")

    def on_duty(self, grid_id: str, at: datetime) -> tuple[Person, ...]:
        """The grid workers of a grid on duty at moment ``at``, ordered by person_id, taken from the
        registry in force on that day. When the schedules put nobody on duty, every worker of the grid:
        a case always has someone to go to."""
        local = self.local_time(at)
        workers = self.as_of(local.date()).workers_of(grid_id)
        return tuple(worker for worker in workers if worker.on_duty_at(local)) or workers

    def chief_of(self, grid_id: str) -> Person:
        """The grid chief of a grid (exactly one in a loaded city)."""
        (chief,) = self.members_of(self.grid(grid_id).grid_id, role="grid_chief")
        return chief

    # --- catalogue and apps -------------------------------------------------------------------

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(self._categories.values())

    def category(self, code: str) -> Category:
        """The category with this code (active or not). Raises KeyError for an unknown code."""
        try:
            return self._categories[code]
        except KeyError:
            raise KeyError(f"unknown category {code!r}") from None

    def categories_of(self, department_id: str) -> tuple[Category, ...]:
        """The categories a department owns."""
        return tuple(self._categories[code] for code in self.department(department_id).categories)

    def app(self, app_id: str) -> App:
        return self._get(app_id, App)

    def app_for_key(self, raw_key: str) -> App | None:
        """The grid app whose API key this is, or None. Compares digests in constant time."""
        digest = hashlib.sha256(raw_key.encode("utf-8")).hexdigest()
        found = None
        for app in self.apps:  # no early exit: the time taken does not depend on which app matched
            if hmac.compare_digest(digest, app.api_key_sha256):
                found = app
        return found

    # --- geography ----------------------------------------------------------------------------

    @property
    def locator(self) -> GridLocator:
        if self._locator is None:
            self._locator = GridLocator(self.grids)
        return self._locator

    def locate(self, lon: float, lat: float) -> str | None:
        """The grid of a WGS-84 point: the grid covering it, else the nearest grid within the city's
        edge tolerance, else None (the point is outside the city)."""
        return self.locator.nearest(lon, lat, within_m=CITY_EDGE_TOLERANCE_M)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a WGS-84 point lies in the city: inside the union of its grids or within
        ``CITY_EDGE_TOLERANCE_M`` of it. Exactly the points ``locate`` finds a grid for."""
        return self.locate(lon, lat) is not None

    def community_for_address(self, address: str) -> str | None:
        """The community an address names (its aliases, its roads and house numbers in gazetteer.yaml),
        or None when it names none or several: the report then goes to manual triage."""
        return self.gazetteer.community_for(address)

    @property
    def outline(self) -> BaseGeometry:
        """The city's outer boundary: the union of its grid polygons."""
        if self._outline is None:
            self._outline = union_all([grid.polygon for grid in self.grids])
        return self._outline

    def _get(self, record_id: str, kind: type[_R]) -> _R:
        record = self._by_id.get(record_id)
        if not isinstance(record, kind):
            raise KeyError(f"unknown {kind.__name__.lower()} {record_id!r}")
        return record


def _id_of(unit: District | Street | Community | Grid) -> str:
    if isinstance(unit, District):
        return unit.district_id
    if isinstance(unit, Street):
        return unit.street_id
    if isinstance(unit, Community):
        return unit.community_id
    return unit.grid_id
