"""What each city file looks like, and how a schema error becomes a problem naming its record.

Pure: these functions take the already-decoded YAML/JSON documents, never a path.
"""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Annotated, Any, TypeVar

import numpy as np
import shapely
import shapely.errors
from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationError
from shapely.geometry import MultiPolygon, Polygon, shape

from shared.city.catalogue import CategoryCode, CategoryGroup
from shared.city.errors import Problem
from shared.city.gazetteer import Gazetteer
from shared.city.records import App, Dated, Grid, Id, Name, Person, Record


def _known_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {name!r}") from None
    return name


class CommunityEntry(Record):
    community_id: Id
    name: Name
    name_zh: Name
    grids: tuple[Id, ...] = Field(min_length=1)


class StreetEntry(Record):
    street_id: Id
    name: Name
    name_zh: Name
    communities: tuple[CommunityEntry, ...] = Field(min_length=1)


class DistrictEntry(Record):
    district_id: Id
    name: Name
    name_zh: Name
    streets: tuple[StreetEntry, ...] = Field(min_length=1)


class DepartmentEntry(Record):
    department_id: Id
    name: Name
    name_zh: Name
    # Declared here, checked against the department_id of each category; derived from them when absent.
    categories: tuple[CategoryCode, ...] | None = None


class CityFile(Record):
    city_id: Id
    name: Name
    name_zh: Name
    timezone: Annotated[str, AfterValidator(_known_timezone)]
    version: Annotated[str, Field(min_length=1)]
    effective_from: date
    districts: tuple[DistrictEntry, ...] = Field(min_length=1)
    departments: tuple[DepartmentEntry, ...]


class PeopleFile(Record):
    people: tuple[Person, ...] = Field(min_length=1)


class CategoriesFile(Record):
    groups: tuple[CategoryGroup, ...] = Field(min_length=1)


class AppsFile(Record):
    apps: tuple[App, ...]


GazetteerFile = Gazetteer


class GridProperties(Dated):
    grid_id: Id
    name: Name
    name_zh: Name
    community_id: Id


_ALL_PROPERTIES = TypeAdapter(list[GridProperties])

M = TypeVar("M", bound=BaseModel)

# How a record is recognised inside a document: the first of these keys a mapping has names it.
# "code" comes before "department_id" because a category carries both.
_ID_KEYS = (
    ("code", "category"),
    ("person_id", "person"),
    ("app_id", "app"),
    ("place_id", "place"),
    ("group_id", "group"),
    ("grid_id", "grid"),
    ("community_id", "community"),
    ("street_id", "street"),
    ("district_id", "district"),
    ("department_id", "department"),
)
# ...and a list item without a usable id is named by the list it is in.
_KIND_OF_LIST = {
    "districts": "district",
    "streets": "street",
    "communities": "community",
    "departments": "department",
    "people": "person",
    "groups": "group",
    "categories": "category",
    "apps": "app",
    "places": "place",
}


def validate(schema: type[M], document: Any, file: str) -> tuple[M | None, list[Problem]]:
    """The document validated against its schema, or the problems found, each naming its record."""
    try:
        return schema.model_validate(document), []
    except ValidationError as error:
        return None, [_problem(file, document, detail) for detail in error.errors()]


def _problem(file: str, document: Any, detail: Any) -> Problem:
    location: tuple[Any, ...] = tuple(detail["loc"])
    record, field_from = "", 0
    node, parent_key = document, None
    for depth, key in enumerate(location):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        # A list item names the record, unless it is an unnamed item inside one (a person's shift, a
        # community's road), which stays part of the field path of the record around it.
        if isinstance(node, dict) and isinstance(key, int):
            named = _record_name(node, parent_key, key)
            if not record or not named.endswith(f"#{key + 1}"):
                record, field_from = named, depth + 1
        parent_key = key
    field = ".".join(str(part) for part in location[field_from:])
    message = str(detail["msg"]).removeprefix("Value error, ")
    return Problem(file, record, f"field {field!r}: {message}" if field else message)


def _record_name(node: dict[str, Any], list_key: Any, index: int) -> str:
    for key, kind in _ID_KEYS:
        if isinstance(node.get(key), str) and node[key]:
            return f"{kind} {node[key]!r}"
    return f"{_KIND_OF_LIST.get(str(list_key), 'record')} #{index + 1}"


def parse_grids(document: Any, file: str) -> tuple[list[Grid], list[Problem]]:
    """The grids of a GeoJSON FeatureCollection, one per feature, with any problems per feature.

    Every feature is checked, in bulk: the properties of all features in one validation
    and the plain one-ring polygons in one vectorised call, so a 100,000-grid file takes about a second.
    Only when the bulk pass finds a problem is each feature gone through on its own, to name it."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [], [Problem(file, "", "is not a GeoJSON FeatureCollection")]
    features = document.get("features")
    if not isinstance(features, list) or not features:
        return [], [Problem(file, "", "has no features")]
    if all(isinstance(f, dict) and f.get("type") == "Feature" for f in features):
        try:
            properties = _ALL_PROPERTIES.validate_python([feature.get("properties") for feature in features])
        except ValidationError:
            pass
        else:
            polygons = _polygons([feature.get("geometry") for feature in features])
            if polygons is not None:
                return [_grid(p, polygon) for p, polygon in zip(properties, polygons, strict=True)], []
    grids, problems = [], []
    for index, feature in enumerate(features):
        grid, problem = _parse_feature(feature, index, file)
        if grid is not None:
            grids.append(grid)
        problems.extend(problem)
    return grids, problems


def _polygons(geometries: list[Any]) -> list[Polygon] | None:
    """Shapely polygons of GeoJSON Polygons without holes, in one go; None if any is something else."""
    rings = []
    for geometry in geometries:
        if not (isinstance(geometry, dict) and geometry.get("type") == "Polygon"):
            return None
        coordinates = geometry.get("coordinates")
        if not (isinstance(coordinates, list) and len(coordinates) == 1 and isinstance(coordinates[0], list)):
            return None
        rings.append(coordinates[0])
    try:
        lengths = [len(ring) for ring in rings]
        points = np.array([point for ring in rings for point in ring], dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or min(lengths) < 4:
            return None
        indices = np.repeat(np.arange(len(rings)), lengths)
        return list(shapely.polygons(shapely.linearrings(points, indices=indices)))
    except (ValueError, TypeError, shapely.errors.GEOSException):
        return None


def _grid(properties: GridProperties, polygon: Polygon | MultiPolygon) -> Grid:
    # The properties (dates included) are validated; the polygon is checked by checks.check_grids.
    return Grid.model_construct(**dict(properties), polygon=polygon)


def _parse_feature(feature: Any, index: int, file: str) -> tuple[Grid | None, list[Problem]]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [Problem(file, f"feature #{index + 1}", "is not a GeoJSON Feature")]
    properties, problems = validate(GridProperties, feature.get("properties"), file)
    if properties is None:
        grid_id = (feature.get("properties") or {}).get("grid_id")
        record = f"grid {grid_id!r}" if isinstance(grid_id, str) and grid_id else f"feature #{index + 1}"
        return None, [Problem(file, record, p.problem) for p in problems]
    record = f"grid {properties.grid_id!r}"
    try:
        polygon = shape(feature.get("geometry"))
    except Exception as error:  # shapely raises many kinds for malformed GeoJSON geometry
        return None, [Problem(file, record, f"has an unreadable geometry: {error}")]
    if not isinstance(polygon, Polygon | MultiPolygon):
        return None, [Problem(file, record, f"is a {polygon.geom_type}, not a Polygon or MultiPolygon")]
    return _grid(properties, polygon), []
