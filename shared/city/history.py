"""Every version of the registry, and the City in force on any day.

The loader checks all versions; ``CityHistory.view(day)`` then gives the registry of that day. Nothing
changes between two change days, so each period's City (its indexes and its grid locator) is built once
and cached; periods in which only people changed share one locator.
"""

from __future__ import annotations

import contextlib
import gc
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.city.locator import GridLocator
from shared.city.models import City
from shared.city.records import Grid, Person
from shared.city.versions import change_dates, in_force, period_of

# Cases mostly concern the last few days; a replay of old cases walks through periods in order.
_CACHED_VIEWS = 8


@contextlib.contextmanager
def bulk_building() -> Iterator[None]:
    """No cyclic garbage collection while a city is built: making millions of objects that all stay alive
    would set it off again and again for nothing (this halves a 100,000-grid city's load time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class CityHistory:
    def __init__(self, fields: dict[str, Any], grids: Sequence[Grid], people: Sequence[Person]) -> None:
        """``fields``: the City's unversioned fields (communities listing every grid that ever was)."""
        self._fields = fields
        self._grids = sorted(grids, key=lambda grid: grid.grid_id)
        self._people = tuple(people)
        self._grid_changes = change_dates(self._grids)
        self._people_changes = change_dates(self._people)
        self._views: OrderedDict[tuple[int, int], City] = OrderedDict()
        self._locators: OrderedDict[int, GridLocator] = OrderedDict()

    def today(self) -> date:
        """Today on the city's wall clock."""
        return datetime.now(ZoneInfo(self._fields["timezone"])).date()

    @property
    def change_dates(self) -> tuple[date, ...]:
        return tuple(sorted({*self._grid_changes, *self._people_changes}))

    def view(self, day: date) -> City:
        grid_period = period_of(self._grid_changes, day)
        key = (grid_period, period_of(self._people_changes, day))
        city = self._views.get(key)
        if city is None:
            with bulk_building():
                city = self._views[key] = self._build(day, grid_period)
            if len(self._views) > _CACHED_VIEWS:
                self._views.popitem(last=False)
        self._views.move_to_end(key)
        return city

    def _build(self, day: date, grid_period: int) -> City:
        grids = tuple(in_force(self._grids, day)) if self._grid_changes else tuple(self._grids)
        people = tuple(in_force(self._people, day)) if self._people_changes else self._people
        communities = self._fields["communities"]
        if self._grid_changes:
            present = {grid.grid_id for grid in grids}
            communities = tuple(
                c.model_copy(update={"grid_ids": tuple(g for g in c.grid_ids if g in present)})
                for c in communities
            )
        # Every record was validated by the loader: construct without validating 100,000 grids again.
        fields = {**self._fields, "communities": communities}
        city = City.model_construct(**fields, grids=grids, people=people)
        city._history = self
        city._locator = self._locator(grid_period, grids)
        return city

    def _locator(self, grid_period: int, grids: tuple[Grid, ...]) -> GridLocator:
        locator = self._locators.get(grid_period)
        if locator is None:
            locator = self._locators[grid_period] = GridLocator(grids)
            if len(self._locators) > _CACHED_VIEWS:
                self._locators.popitem(last=False)
        return locator
