"""Each kind of broken city file is refused with a message naming the file and the record at fault."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.city import CityDataError, load_city

CITY_DIR = Path(__file__).resolve().parents[2] / "city"
Edit = Callable[[Any], None]


@pytest.fixture
def city_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "city"
    shutil.copytree(CITY_DIR, copy, ignore=shutil.ignore_patterns("*.md"))
    return copy


def edit(directory: Path, name: str, change: Edit) -> None:
    path = directory / name
    is_json = name.endswith(".geojson")
    data = json.loads(path.read_text()) if is_json else yaml.safe_load(path.read_text())
    change(data)
    path.write_text(json.dumps(data) if is_json else yaml.safe_dump(data, allow_unicode=True))


def refusal(directory: Path) -> str:
    with pytest.raises(CityDataError) as caught:
        load_city(directory)
    return str(caught.value)


def person(data: dict[str, Any], person_id: str) -> dict[str, Any]:
    return next(p for p in data["people"] if p["person_id"] == person_id)


def feature(data: dict[str, Any], grid_id: str) -> dict[str, Any]:
    return next(f for f in data["features"] if f["properties"]["grid_id"] == grid_id)


def category(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for g in data["groups"] for c in g["categories"] if c["code"] == code)


def community(data: dict[str, Any], community_id: str) -> dict[str, Any]:
    return next(
        c
        for d in data["districts"]
        for s in d["streets"]
        for c in s["communities"]
        if c["community_id"] == community_id
    )


# --- people.yaml ------------------------------------------------------------------------------


def test_person_serving_an_unknown_unit_is_refused(city_dir: Path) -> None:
    edit(city_dir, "people.yaml", lambda d: person(d, "w-tinghu-wenfeng-01").update(unit_id="g-99"))
    assert f"{city_dir}/people.yaml: person 'w-tinghu-wenfeng-01' serves unknown unit 'g-99'" in refusal(
        city_dir
    )


def test_grid_with_two_chiefs_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "people.yaml",
        lambda d: person(d, "w-tinghu-wenfeng-01").update(role="grid_chief"),
    )
    message = refusal(city_dir)
    assert "people.yaml: grid 'g-tinghu-wenfeng-01' has 2 grid chiefs" in message
    assert "'w-tinghu-wenfeng-01'" in message


def test_grid_without_a_chief_is_refused(city_dir: Path) -> None:
    edit(city_dir, "people.yaml", lambda d: d["people"].remove(person(d, "gc-yandu-xindu-02")))
    assert "people.yaml: grid 'g-yandu-xindu-02' has 0 grid chiefs" in refusal(city_dir)


def test_grid_without_a_worker_is_refused(city_dir: Path) -> None:
    def drop_workers(data: dict[str, Any]) -> None:
        data["people"] = [
            p
            for p in data["people"]
            if not (p["role"] == "grid_worker" and p["unit_id"] == "g-yandu-xindu-03")
        ]

    edit(city_dir, "people.yaml", drop_workers)
    assert "people.yaml: grid 'g-yandu-xindu-03' has no grid worker" in refusal(city_dir)


def test_role_serving_the_wrong_kind_of_unit_is_refused(city_dir: Path) -> None:
    edit(city_dir, "people.yaml", lambda d: person(d, "op-tinghu").update(unit_id="g-tinghu-wenfeng-01"))
    assert "people.yaml: person 'op-tinghu' is a operator but serves grid" in refusal(city_dir)


def test_unknown_role_is_refused_naming_the_person_and_field(city_dir: Path) -> None:
    edit(city_dir, "people.yaml", lambda d: person(d, "so-yandu-xindu-1").update(role="mayor"))
    assert "people.yaml: person 'so-yandu-xindu-1' field 'role':" in refusal(city_dir)


def test_person_without_an_id_is_named_by_position(city_dir: Path) -> None:
    edit(city_dir, "people.yaml", lambda d: d["people"][2].pop("person_id"))
    assert "people.yaml: person #3 field 'person_id': Field required" in refusal(city_dir)


def test_duplicate_person_id_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "people.yaml",
        lambda d: person(d, "w-tinghu-wenfeng-02").update(person_id="w-tinghu-wenfeng-01"),
    )
    assert "people.yaml: person 'w-tinghu-wenfeng-01' appears 2 times" in refusal(city_dir)


# --- city.yaml --------------------------------------------------------------------------------


def test_grid_listed_in_two_communities_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "city.yaml",
        lambda d: community(d, "c-tinghu-wenfeng-shiji")["grids"].append("g-tinghu-wenfeng-01"),
    )
    assert (
        "city.yaml: community 'c-tinghu-wenfeng-shiji' lists grid 'g-tinghu-wenfeng-01', "
        "already used by community 'c-tinghu-wenfeng-yulong'"
    ) in refusal(city_dir)


def test_community_listing_a_grid_without_polygon_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "city.yaml",
        lambda d: community(d, "c-yandu-xindu-yingbin")["grids"].append("g-yandu-xindu-99"),
    )
    assert (
        "city.yaml: community 'c-yandu-xindu-yingbin' lists grid 'g-yandu-xindu-99', which has no polygon"
    ) in refusal(city_dir)


def test_reused_unit_id_is_refused(city_dir: Path) -> None:
    edit(city_dir, "city.yaml", lambda d: d["departments"][0].update(department_id="d-tinghu"))
    assert "city.yaml: department 'd-tinghu' reuses the id 'd-tinghu', already used by district" in refusal(
        city_dir
    )


def test_unknown_timezone_is_refused(city_dir: Path) -> None:
    edit(city_dir, "city.yaml", lambda d: d.update(timezone="Asia/Yancheng"))
    assert "city.yaml: field 'timezone': unknown IANA timezone 'Asia/Yancheng'" in refusal(city_dir)


def test_misspelt_field_in_a_street_is_refused(city_dir: Path) -> None:
    edit(city_dir, "city.yaml", lambda d: d["districts"][1]["streets"][0].update(nmae="Xindu"))
    assert "city.yaml: street 's-yandu-xindu' field 'nmae': Extra inputs are not permitted" in refusal(
        city_dir
    )


# --- grids.geojson ----------------------------------------------------------------------------


def test_grid_feature_in_no_community_is_refused(city_dir: Path) -> None:
    def add_stray(data: dict[str, Any]) -> None:
        stray = json.loads(json.dumps(data["features"][0]))
        stray["properties"]["grid_id"] = "g-stray-01"
        stray["geometry"]["coordinates"] = [[[121.0, 33.0], [121.01, 33.0], [121.01, 33.01], [121.0, 33.0]]]
        data["features"].append(stray)

    edit(city_dir, "grids.geojson", add_stray)
    assert "grids.geojson: grid 'g-stray-01' is not listed under any community" in refusal(city_dir)


def test_grid_feature_naming_another_community_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "grids.geojson",
        lambda d: feature(d, "g-yandu-panhuang-01")["properties"].update(
            community_id="c-yandu-xindu-yingbin"
        ),
    )
    assert (
        "grids.geojson: grid 'g-yandu-panhuang-01' says community 'c-yandu-xindu-yingbin' "
        "but city.yaml lists it under 'c-yandu-panhuang-yangxu'"
    ) in refusal(city_dir)


def test_overlapping_grids_are_refused(city_dir: Path) -> None:
    def grow(data: dict[str, Any]) -> None:
        ring = feature(data, "g-tinghu-wenfeng-01")["geometry"]["coordinates"][0]
        west = min(lon for lon, _ in ring)
        for point in ring:
            if point[0] == west:
                point[0] -= 0.003  # well into the neighbouring grid to the west

    edit(city_dir, "grids.geojson", grow)
    assert (
        "grids.geojson: grid 'g-tinghu-wenfeng-01' overlaps grid 'g-yandu-xindu-03' by"  # the west neighbour
    ) in refusal(city_dir)


def test_self_intersecting_polygon_is_refused(city_dir: Path) -> None:
    bow_tie = [[[120.15, 33.38], [120.16, 33.39], [120.16, 33.38], [120.15, 33.39], [120.15, 33.38]]]
    edit(
        city_dir,
        "grids.geojson",
        lambda d: feature(d, "g-tinghu-xianfeng-02")["geometry"].update(coordinates=bow_tie),
    )
    assert "grids.geojson: grid 'g-tinghu-xianfeng-02' has an invalid polygon: Self-intersection" in refusal(
        city_dir
    )


def test_point_geometry_is_refused(city_dir: Path) -> None:
    point = {"type": "Point", "coordinates": [120.15, 33.38]}
    edit(city_dir, "grids.geojson", lambda d: feature(d, "g-tinghu-xianfeng-01").update(geometry=point))
    assert "grids.geojson: grid 'g-tinghu-xianfeng-01' is a Point, not a Polygon" in refusal(city_dir)


def test_feature_without_grid_id_is_named_by_position(city_dir: Path) -> None:
    edit(city_dir, "grids.geojson", lambda d: d["features"][4]["properties"].pop("grid_id"))
    assert "grids.geojson: feature #5 field 'grid_id': Field required" in refusal(city_dir)


def test_latitude_longitude_swapped_is_refused(city_dir: Path) -> None:
    def swap(data: dict[str, Any]) -> None:
        geometry = feature(data, "g-yandu-xindu-01")["geometry"]
        geometry["coordinates"] = [[[lat, lon] for lon, lat in geometry["coordinates"][0]]]

    edit(city_dir, "grids.geojson", swap)
    assert (
        "grids.geojson: grid 'g-yandu-xindu-01' has coordinates outside longitude/latitude range"
        in refusal(city_dir)
    )


# --- categories.yaml and apps.yaml ------------------------------------------------------------


def test_duplicate_category_code_is_refused(city_dir: Path) -> None:
    def duplicate(data: dict[str, Any]) -> None:
        data["groups"][0]["categories"].append(dict(data["groups"][0]["categories"][0]))

    edit(city_dir, "categories.yaml", duplicate)
    assert "categories.yaml: category 'city_appearance.garbage_overflow' appears 2 times" in refusal(city_dir)


def test_category_owned_by_unknown_department_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "categories.yaml",
        lambda d: category(d, "safety.gas_leak").update(department_id="dept-fire"),
    )
    assert (
        "categories.yaml: category 'safety.gas_leak' is owned by unknown department 'dept-fire'"
        in refusal(city_dir)
    )


def test_district_tier_category_without_department_is_refused(city_dir: Path) -> None:
    edit(city_dir, "categories.yaml", lambda d: category(d, "safety.gas_leak").update(department_id=None))
    assert "categories.yaml: category 'safety.gas_leak' is handled at district tier but names no" in refusal(
        city_dir
    )


def test_closing_limit_shorter_than_resolving_limit_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "categories.yaml",
        lambda d: category(d, "dispute.neighbour_noise").update(close_within="PT1H"),
    )
    assert "categories.yaml: category 'dispute.neighbour_noise' close_within PT1H is shorter" in refusal(
        city_dir
    )


@pytest.mark.parametrize("limit", ["48 hours", "P", "PT0S", "-PT2H"])
def test_malformed_time_limit_is_refused(city_dir: Path, limit: str) -> None:
    edit(city_dir, "categories.yaml", lambda d: category(d, "safety.gas_leak").update(resolve_within=limit))
    assert "categories.yaml: category 'safety.gas_leak' field 'resolve_within':" in refusal(city_dir)


def test_category_in_the_wrong_group_is_refused(city_dir: Path) -> None:
    edit(city_dir, "categories.yaml", lambda d: category(d, "safety.gas_leak").update(code="people.gas_leak"))
    assert "categories.yaml: category 'people.gas_leak' is listed in group 'safety'" in refusal(city_dir)


def test_app_key_that_is_not_a_sha256_is_refused(city_dir: Path) -> None:
    edit(city_dir, "apps.yaml", lambda d: d["apps"][1].update(api_key_sha256="dev-key-patrol-app"))
    assert "apps.yaml: app 'patrol-app' field 'api_key_sha256':" in refusal(city_dir)


def test_two_apps_with_one_key_are_refused(city_dir: Path) -> None:
    edit(city_dir, "apps.yaml", lambda d: d["apps"][2].update(api_key_sha256=d["apps"][0]["api_key_sha256"]))
    assert "apps.yaml: app 'rider-app' has the same API key as app 'resident-app'" in refusal(city_dir)


def test_app_with_unknown_source_type_is_refused(city_dir: Path) -> None:
    edit(city_dir, "apps.yaml", lambda d: d["apps"][0]["source_types"].append("tourist"))
    assert "apps.yaml: app 'resident-app' field 'source_types.2':" in refusal(city_dir)


# --- whole files ------------------------------------------------------------------------------


def test_missing_file_is_refused(city_dir: Path) -> None:
    (city_dir / "apps.yaml").unlink()
    assert f"{city_dir}/apps.yaml: cannot be read: No such file or directory" in refusal(city_dir)


def test_unparsable_yaml_is_refused(city_dir: Path) -> None:
    (city_dir / "people.yaml").write_text("people: [unclosed\n")
    assert "people.yaml: is not valid YAML" in refusal(city_dir)


def test_every_problem_is_reported_at_once(city_dir: Path) -> None:
    edit(city_dir, "people.yaml", lambda d: person(d, "w-tinghu-wenfeng-01").update(unit_id="g-98"))
    edit(city_dir, "people.yaml", lambda d: person(d, "w-yandu-xindu-01").update(unit_id="g-99"))
    edit(city_dir, "apps.yaml", lambda d: d["apps"][2].update(api_key_sha256=d["apps"][0]["api_key_sha256"]))
    with pytest.raises(CityDataError) as caught:
        load_city(city_dir)
    records = {problem.record for problem in caught.value.problems}
    assert {"person 'w-tinghu-wenfeng-01'", "person 'w-yandu-xindu-01'", "app 'rider-app'"} <= records
