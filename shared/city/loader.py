"""Read the city files from a directory and build the validated City.

The only module of ``shared.city`` that touches the file system. Every problem in the files is collected
and raised together in one ``CityDataError``, each naming its file and record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from shared.city import checks
from shared.city.errors import CityDataError, Problem
from shared.city.models import City
from shared.city.records import Community, District, Grid, Street
from shared.city.schema import AppsFile, CategoriesFile, CityFile, PeopleFile, parse_grids, validate

CITY_FILE, GRIDS_FILE, PEOPLE_FILE, CATEGORIES_FILE, APPS_FILE = (
    "city.yaml",
    "grids.geojson",
    "people.yaml",
    "categories.yaml",
    "apps.yaml",
)


def load_city(path: str | os.PathLike[str]) -> City:
    """The city described by the files in directory ``path``. Raises CityDataError if any is invalid."""
    directory = Path(path)
    files = checks.Files(
        *(str(directory / name) for name in (CITY_FILE, GRIDS_FILE, PEOPLE_FILE, CATEGORIES_FILE, APPS_FILE))
    )
    problems: list[Problem] = []
    documents = {label: _read(label, problems) for label in vars(files).values()}
    _raise_if_any(problems)
    return build_city(documents, files)


def build_city(documents: dict[str, Any], files: checks.Files) -> City:
    """The city from its decoded documents, keyed by file label. Pure: no I/O."""
    city_file, problems = validate(CityFile, documents[files.city], files.city)
    people_file, found = validate(PeopleFile, documents[files.people], files.people)
    problems += found
    categories_file, found = validate(CategoriesFile, documents[files.categories], files.categories)
    problems += found
    apps_file, found = validate(AppsFile, documents[files.apps], files.apps)
    problems += found
    grids, found = parse_grids(documents[files.grids], files.grids)
    problems += found
    _raise_if_any(problems)
    # No problems means every document parsed.
    assert city_file is not None
    assert people_file is not None
    assert categories_file is not None
    assert apps_file is not None

    kinds = checks.unit_kinds(city_file)
    problems += checks.check_org_tree(city_file, files)
    problems += checks.check_grids(city_file, grids, files)
    problems += checks.check_people(people_file.people, kinds, files)
    problems += checks.check_categories(categories_file.groups, kinds, files)
    problems += checks.check_apps(apps_file.apps, files)
    _raise_if_any(problems)
    return _assemble(city_file, grids, people_file, categories_file, apps_file)


def _assemble(
    city: CityFile, grids: list[Grid], people: PeopleFile, categories: CategoriesFile, apps: AppsFile
) -> City:
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
    return City(
        city_id=city.city_id,
        name=city.name,
        name_zh=city.name_zh,
        timezone=city.timezone,
        version=city.version,
        effective_from=city.effective_from,
        districts=tuple(districts),
        streets=tuple(streets),
        communities=tuple(communities),
        grids=tuple(sorted(grids, key=lambda grid: grid.grid_id)),
        departments=city.departments,
        people=people.people,
        category_groups=categories.groups,
        apps=apps.apps,
    )


def _read(label: str, problems: list[Problem]) -> Any:
    try:
        text = Path(label).read_text(encoding="utf-8")
    except OSError as error:
        problems.append(Problem(label, "", f"cannot be read: {error.strerror or error}"))
        return None
    try:
        return json.loads(text) if label.endswith(".geojson") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        problems.append(
            Problem(label, "", f"is not valid {'JSON' if label.endswith('.geojson') else 'YAML'}: {error}")
        )
        return None


def _raise_if_any(problems: list[Problem]) -> None:
    if problems:
        raise CityDataError(problems)
