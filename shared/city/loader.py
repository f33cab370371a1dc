"""Read the city files from a directory and build the validated City.

The only module of ``shared.city`` that touches the file system. Every problem in the files is collected
and raised together in one ``CityDataError``, each naming its file and record.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from shared.city import checks
from shared.city.address_checks import check_gazetteer
from shared.city.errors import CityDataError, Problem
from shared.city.history import CityHistory, bulk_building
from shared.city.models import City
from shared.city.people_checks import check_people
from shared.city.records import Community, Department, District, Street
from shared.city.schema import (
    AppsFile,
    CategoriesFile,
    CityFile,
    GazetteerFile,
    PeopleFile,
    parse_grids,
    validate,
)

CITY_FILE, GRIDS_FILE, PEOPLE_FILE, CATEGORIES_FILE, APPS_FILE, GAZETTEER_FILE = (
    "city.yaml",
    "grids.geojson",
    "people.yaml",
    "categories.yaml",
    "apps.yaml",
    "gazetteer.yaml",
)
# libyaml's parser when PyYAML was built with it: a 100,000-grid city's people.yaml in seconds, not minutes.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_city(path: str | os.PathLike[str], *, on: date | None = None) -> City:
    """The registry described by the files in directory ``path``, as in force on day ``on`` (default:
    today in the city's time zone); ``.as_of(day)`` gives any other day's. Raises CityDataError if any
    file is invalid. gazetteer.yaml is optional: without it no address is matched to a community."""
    history = load_history(path)
    return history.view(on or history.today())


def load_history(path: str | os.PathLike[str]) -> CityHistory:
    """Every version of the registry in directory ``path``. Raises CityDataError if any file is invalid."""
    directory = Path(path)
    names = (CITY_FILE, GRIDS_FILE, PEOPLE_FILE, CATEGORIES_FILE, APPS_FILE, GAZETTEER_FILE)
    files = checks.Files(*(str(directory / name) for name in names))
    problems: list[Problem] = []
    with bulk_building():
        documents = {
            label: _read(label, problems) for label in vars(files).values() if label != files.gazetteer
        }
        gazetteer = Path(files.gazetteer)
        documents[files.gazetteer] = _read(files.gazetteer, problems) if gazetteer.exists() else {}
        _raise_if_any(problems)
        return build_history(documents, files)


def build_city(documents: dict[str, Any], files: checks.Files, *, on: date | None = None) -> City:
    """The city in force on day ``on`` (default: today) from its decoded documents, keyed by file label."""
    history = build_history(documents, files)
    return history.view(on or history.today())


def build_history(documents: dict[str, Any], files: checks.Files) -> CityHistory:
    """Every version of the registry from its decoded documents, keyed by file label. Pure: no I/O.

    Takes the documents out of ``documents`` as it goes, so that a large city's decoded JSON is freed
    as soon as its records are built."""
    with bulk_building():
        return _build_history(documents, files)


def _build_history(documents: dict[str, Any], files: checks.Files) -> CityHistory:
    city_file, problems = validate(CityFile, documents.pop(files.city), files.city)
    people_file, found = validate(PeopleFile, documents.pop(files.people), files.people)
    problems += found
    categories_file, found = validate(CategoriesFile, documents.pop(files.categories), files.categories)
    problems += found
    apps_file, found = validate(AppsFile, documents.pop(files.apps), files.apps)
    problems += found
    grids, found = parse_grids(documents.pop(files.grids), files.grids)
    problems += found
    gazetteer, found = validate(GazetteerFile, documents.pop(files.gazetteer, None) or {}, files.gazetteer)
    problems += found
    _raise_if_any(problems)
    # No problems means every document parsed.
    assert city_file is not None
    assert people_file is not None
    assert categories_file is not None
    assert apps_file is not None
    assert gazetteer is not None

    kinds = checks.unit_kinds(city_file)
    problems += checks.check_org_tree(city_file, files)
    problems += checks.check_grids(city_file, grids, files)
    problems += check_people(people_file.people, kinds, grids, files)
    problems += checks.check_categories(categories_file.groups, kinds, files)
    problems += checks.check_departments(city_file, categories_file.groups, files)
    problems += checks.check_apps(apps_file.apps, files)
    problems += check_gazetteer(gazetteer, kinds, files)
    _raise_if_any(problems)
    fields = _unversioned(city_file, categories_file, apps_file, gazetteer)
    return CityHistory(fields, grids, people_file.people)


def _unversioned(
    city: CityFile, categories: CategoriesFile, apps: AppsFile, gazetteer: GazetteerFile
) -> dict[str, Any]:
    """Every field of City but its grids and people, which the history gives per day."""
    districts, streets, communities = [], [], []
    for district in city.districts:
        districts.append(
            District(
                district_id=district.district_id,
                name=district.name,
                name_zh=district.name_zh,
                street_ids=tuple(street.street_id for street in district.streets),
            )
        )
        for street in district.streets:
            streets.append(
                Street(
                    street_id=street.street_id,
                    name=street.name,
                    name_zh=street.name_zh,
                    district_id=district.district_id,
                    community_ids=tuple(community.community_id for community in street.communities),
                )
            )
            communities += [
                Community(
                    community_id=community.community_id,
                    name=community.name,
                    name_zh=community.name_zh,
                    street_id=street.street_id,
                    grid_ids=community.grids,
                )
                for community in street.communities
            ]
    owned: dict[str, list[str]] = {}
    for group in categories.groups:
        for category in group.categories:
            if category.department_id is not None:
                owned.setdefault(category.department_id, []).append(category.code)
    departments = tuple(
        Department(
            department_id=d.department_id,
            name=d.name,
            name_zh=d.name_zh,
            categories=d.categories if d.categories is not None else tuple(owned.get(d.department_id, ())),
        )
        for d in city.departments
    )
    return {
        "city_id": city.city_id,
        "name": city.name,
        "name_zh": city.name_zh,
        "timezone": city.timezone,
        "version": city.version,
        "effective_from": city.effective_from,
        "districts": tuple(districts),
        "streets": tuple(streets),
        "communities": tuple(communities),
        "departments": departments,
        "category_groups": categories.groups,
        "apps": apps.apps,
        "gazetteer": gazetteer,
    }


def _read(label: str, problems: list[Problem]) -> Any:
    try:
        text = Path(label).read_text(encoding="utf-8")
    except OSError as error:
        problems.append(Problem(label, "", f"cannot be read: {error.strerror or error}"))
        return None
    try:
        return _decode(label, text)
    except (ValueError, yaml.YAMLError) as error:
        problems.append(
            Problem(label, "", f"is not valid {'JSON' if label.endswith('.geojson') else 'YAML'}: {error}")
        )
        return None


def _decode(label: str, text: str) -> Any:
    if label.endswith(".geojson"):
        return json.loads(text)
    if text.lstrip().startswith("{"):
        # JSON is YAML too, and a JSON parser reads it a hundred times faster than a YAML one does: a
        # generated 100,000-grid city writes its YAML files as JSON. Anything else is read as YAML.
        with contextlib.suppress(ValueError):
            return json.loads(text)
    return yaml.load(text, Loader=_YamlLoader)


def _raise_if_any(problems: list[Problem]) -> None:
    if problems:
        raise CityDataError(problems)
