"""The registry as the console's map reads it: the grids in force today as GeoJSON, the org tree with
names in both languages, and the red map. Each document is built once per day of the registry (and per
red map) and served as the same bytes with an ETag, so a big screen reloading it costs a 304."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from shapely.geometry import mapping

from shared.city import City
from shared.city.red_map import KIND_NAMES, OFFERS, RedMap

# Today's and yesterday's, around midnight.
_KEPT_DAYS = 2


@dataclass(frozen=True)
class Document:
    body: bytes
    etag: str


def document(content: Any) -> Document:
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Document(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')


class CityViews:
    def __init__(self, city: City, red_map: RedMap) -> None:
        self._city = city
        self._red_map = document(red_map_content(red_map))
        self._built: OrderedDict[tuple[str, date], Document] = OrderedDict()

    def grids(self, day: date) -> Document:
        return self._cached("grids", day, grids_content)

    def org(self, day: date) -> Document:
        return self._cached("org", day, org_content)

    def red_map(self) -> Document:
        return self._red_map

    def _cached(self, name: str, day: date, build: Callable[[City], Any]) -> Document:
        key = (name, day)
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = document(build(self._city.as_of(day)))
            while len(self._built) > 2 * _KEPT_DAYS:
                self._built.popitem(last=False)
        return found


def grids_content(city: City) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the grids in force, each with its names and parents."""
    features = []
    for grid in city.grids:
        community, street, district = city.ancestry(grid.grid_id)
        properties = {
            "grid_id": grid.grid_id,
            "name": grid.name,
            "name_zh": grid.name_zh,
            "community_id": community.community_id,
            "community_name_zh": community.name_zh,
            "street_id": street.street_id,
            "street_name_zh": street.name_zh,
            "district_id": district.district_id,
            "district_name_zh": district.name_zh,
        }
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(grid.polygon)})
    return {"type": "FeatureCollection", "features": features}


def org_content(city: City) -> dict[str, Any]:
    """Districts → streets → communities → grids in force, and the departments, named in zh and en."""

    def named(unit_id: str, unit: Any) -> dict[str, str]:
        return {unit_id: getattr(unit, unit_id), "name": unit.name, "name_zh": unit.name_zh}

    in_force = {grid.grid_id for grid in city.grids}
    districts = []
    for district in city.districts:
        streets = []
        for street in (city.street(street_id) for street_id in district.street_ids):
            communities = [
                {
                    **named("community_id", community),
                    "grids": [named("grid_id", city.grid(g)) for g in community.grid_ids if g in in_force],
                }
                for community in (city.community(c) for c in street.community_ids)
            ]
            streets.append({**named("street_id", street), "communities": communities})
        districts.append({**named("district_id", district), "streets": streets})
    return {
        "city": {
            "city_id": city.city_id,
            "name": city.name,
            "name_zh": city.name_zh,
            "timezone": city.timezone,
        },
        "districts": districts,
        "departments": [named("department_id", department) for department in city.departments],
    }


def red_map_content(red_map: RedMap) -> dict[str, Any]:
    """The places, with the names of their kinds and offers in both languages."""
    places = []
    for place in red_map.places:
        fields = place.model_dump(exclude={"opening_hours"})
        hours = [{"days": list(s.days), "from": s.starts, "to": s.ends} for s in place.opening_hours]
        places.append({**fields, "opening_hours": hours, "always_open": not hours})
    return {
        "kinds": {kind: {"name_zh": zh, "name": en} for kind, (zh, en) in KIND_NAMES.items()},
        "offers": {offer: {"name_zh": zh, "name": en} for offer, (zh, en) in OFFERS.items()},
        "places": places,
    }
