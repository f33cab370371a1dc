"""The red map 红色地图: the city's party-mass service centres 党群服务中心 and warm-heart stations 暖心驿站,
where they are, when they are open and what each offers (water, charging, a microwave, first aid…).

``load_red_map(path, city)`` reads ``city/red_map.yaml`` and checks it against the registry: every place
is run by a unit the city has, lies inside the city and inside that unit, has an id of its own and offers
only things of the vocabulary below. Problems are raised together in one ``CityDataError``, each naming
the file and the place.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import Field, StringConstraints

from shared.city.duty import Shift
from shared.city.errors import CityDataError, Problem
from shared.city.models import City
from shared.city.records import Id, Name, Record, UnitKind
from shared.city.schema import validate
from shared.city.units import enclosing_units

RED_MAP_FILE = "red_map.yaml"

PlaceKind = Literal["party_mass_service_centre", "warm_heart_station"]
KIND_NAMES: dict[PlaceKind, tuple[str, str]] = {
    "party_mass_service_centre": ("党群服务中心", "Party-mass service centre"),
    "warm_heart_station": ("暖心驿站", "Warm-heart station"),
}
# What a place may offer, with its Chinese and English names: the console shows these, never raw codes.
OFFERS: dict[str, tuple[str, str]] = {
    "water": ("饮用水", "Drinking water"),
    "hot_water": ("热水", "Hot water"),
    "charging": ("手机充电", "Phone charging"),
    "microwave": ("微波炉加热", "Microwave"),
    "first_aid": ("应急药箱", "First-aid kit"),
    "rest": ("休息座椅", "Rest area"),
    "toilet": ("卫生间", "Toilet"),
    "air_conditioning": ("避暑取暖", "Cool in summer, warm in winter"),
    "wifi": ("无线网络", "Wi-Fi"),
    "umbrella": ("爱心雨伞", "Umbrella loan"),
    "repair_kit": ("便民工具箱", "Repair kit"),
    "reading": ("阅读角", "Reading corner"),
    "legal_advice": ("法律咨询", "Legal advice"),
    "government_services": ("政务代办", "Government services help desk"),
    "volunteer_service": ("志愿服务", "Volunteer service"),
}
# The units that run places; a department has no territory for a place to lie in.
RUNNING_KINDS: frozenset[UnitKind] = frozenset({"city", "district", "street", "community", "grid"})


class Place(Record):
    place_id: Id
    kind: PlaceKind
    name: Name
    name_zh: Name
    # The unit that runs it (a street runs its centre, a community its own): the place lies inside it.
    unit_id: Id
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9+\- ]{5,20}$")] | None = None
    # Weekly opening hours, in the people file's shift form; none at all means always open.
    opening_hours: tuple[Shift, ...] = ()
    offers: tuple[str, ...] = Field(min_length=1)


class RedMapFile(Record):
    places: tuple[Place, ...] = Field(min_length=1)


class RedMap(Record):
    places: tuple[Place, ...]


def load_red_map(path: str | os.PathLike[str], city: City) -> RedMap:
    """The red map in file ``path`` (or ``path/red_map.yaml`` for a directory), checked against ``city``.
    Raises CityDataError naming the file and the place of every problem."""
    file = Path(path)
    if file.is_dir():
        file = file / RED_MAP_FILE
    label = str(file)
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise CityDataError([Problem(label, "", f"cannot be read: {error.strerror or error}")]) from None
    except yaml.YAMLError as error:
        raise CityDataError([Problem(label, "", f"is not valid YAML: {error}")]) from None
    return build_red_map(document, city, label)


def build_red_map(document: object, city: City, label: str = RED_MAP_FILE) -> RedMap:
    """The red map from its decoded document, checked against ``city``. Pure: no I/O."""
    red_map, problems = validate(RedMapFile, document, label)
    if red_map is None:
        raise CityDataError(problems)
    problems = check_places(red_map.places, city, label)
    if problems:
        raise CityDataError(problems)
    return RedMap(places=red_map.places)


def check_places(places: tuple[Place, ...], city: City, label: str) -> list[Problem]:
    problems = []
    counts = Counter(place.place_id for place in places)
    problems += [
        Problem(label, f"place {place_id!r}", f"appears {count} times; place ids are unique")
        for place_id, count in counts.items()
        if count > 1
    ]
    for place in places:
        record = f"place {place.place_id!r}"
        problems += [Problem(label, record, problem) for problem in _place_problems(place, city)]
    return problems


def _place_problems(place: Place, city: City) -> list[str]:
    problems = []
    unknown = [offer for offer in place.offers if offer not in OFFERS]
    if unknown:
        problems.append(f"offers unknown {', '.join(map(repr, unknown))}; known offers: {', '.join(OFFERS)}")
    kind = city.unit_kind(place.unit_id)
    if kind is None:
        problems.append(f"is run by unknown unit {place.unit_id!r}")
    elif kind not in RUNNING_KINDS:
        problems.append(
            f"is run by {kind} {place.unit_id!r}; places are run by a {', '.join(sorted(RUNNING_KINDS))}"
        )
    grid_id = city.locate(place.lon, place.lat)
    if grid_id is None:
        problems.append(f"lies outside the city at lon {place.lon}, lat {place.lat} (are they swapped?)")
    elif kind in RUNNING_KINDS and place.unit_id not in enclosing_units(city, grid_id):
        problems.append(f"lies in grid {grid_id!r}, outside the unit that runs it, {place.unit_id!r}")
    return problems
