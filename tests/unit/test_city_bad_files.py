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


# --- effective dates, duty schedules, departments, gazetteer -----------------------------------


def test_two_versions_of_a_person_in_force_on_the_same_day_are_refused(city_dir: Path) -> None:
    def overlap(data: dict[str, Any]) -> None:
        old = next(
            p for p in data["people"] if p["person_id"] == "w-yandu-xindu-06" and "effective_until" in p
        )
        old["effective_until"] = "2025-04-01"

    edit(city_dir, "people.yaml", overlap)
    assert (
        "people.yaml: person 'w-yandu-xindu-06' appears 2 times in force on 2025-03-01; versions of one "
        "record need effective dates that do not overlap"
    ) in refusal(city_dir)


def test_effective_dates_out_of_order_are_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "people.yaml",
        lambda d: person(d, "sv-yancheng").update(effective_from="2025-05-01", effective_until="2025-01-01"),
    )
    assert "people.yaml: person 'sv-yancheng' effective_until 2025-01-01 is not after effective_from" in (
        refusal(city_dir)
    )


def test_a_malformed_effective_date_is_refused_naming_the_grid(city_dir: Path) -> None:
    edit(
        city_dir,
        "grids.geojson",
        lambda d: feature(d, "g-yandu-xindu-02")["properties"].update(effective_from="next monday"),
    )
    assert "grids.geojson: grid 'g-yandu-xindu-02' field 'effective_from':" in refusal(city_dir)


def test_a_grid_left_without_a_chief_from_a_later_day_is_refused_with_that_day(city_dir: Path) -> None:
    edit(
        city_dir, "people.yaml", lambda d: person(d, "gc-yandu-xindu-02").update(effective_until="2027-01-01")
    )
    assert (
        "people.yaml: grid 'g-yandu-xindu-02' has 0 grid chiefs; it needs exactly one "
        "(in force from 2027-01-01)"
    ) in refusal(city_dir)


def test_redrawn_grids_that_overlap_from_the_redraw_are_refused_with_that_day(city_dir: Path) -> None:
    def grow(data: dict[str, Any]) -> None:
        redrawn = [f for f in data["features"] if f["properties"].get("effective_from") == "2025-07-01"]
        ring = redrawn[0]["geometry"]["coordinates"][0]
        south = min(lat for _, lat in ring)
        for point in ring:
            if point[1] == south:
                point[1] -= 0.003  # deep into the grid to the south

    edit(city_dir, "grids.geojson", grow)
    message = refusal(city_dir)
    assert "grids.geojson: grid 'g-tinghu-wenfeng-01' overlaps grid 'g-tinghu-wenfeng-02' by" in message
    assert "(in force from 2025-07-01)" in message


def test_a_person_serving_a_grid_before_it_exists_is_refused(city_dir: Path) -> None:
    def late_grid(data: dict[str, Any]) -> None:
        feature(data, "g-yandu-xindu-04")["properties"]["effective_from"] = "2025-01-01"

    edit(city_dir, "grids.geojson", late_grid)
    assert (
        "people.yaml: person 'gc-yandu-xindu-04' serves grid 'g-yandu-xindu-04', "
        "which has no boundary in force"
    ) in refusal(city_dir)


@pytest.mark.parametrize(
    ("shift", "complaint"),
    [
        ({"days": ["mon..fri"], "from": "8:30", "to": "17:30"}, "field 'duty.0.from': '8:30' is not a time"),
        (
            {"days": ["mon..fri"], "from": 750, "to": "17:30"},
            "field 'duty.0.from': 750 is not a time of day: ",
        ),
        ({"days": ["monday"], "from": "08:30", "to": "17:30"}, "field 'duty.0.days': unknown day 'monday'"),
        (
            {"days": ["mon..fry"], "from": "08:30", "to": "17:30"},
            "field 'duty.0.days': 'mon..fry' is not a range of days",
        ),
        ({"days": ["mon"], "from": "08:30", "until": "17:30"}, "field 'duty.0.until': Extra inputs"),
    ],
)
def test_a_malformed_shift_is_refused_naming_the_person(
    city_dir: Path, shift: dict[str, Any], complaint: str
) -> None:
    edit(city_dir, "people.yaml", lambda d: person(d, "w-tinghu-wenfeng-01").update(duty=[shift]))
    assert f"people.yaml: person 'w-tinghu-wenfeng-01' {complaint}" in refusal(city_dir)


def test_a_department_listing_a_category_it_does_not_own_is_refused(city_dir: Path) -> None:
    def claim(data: dict[str, Any]) -> None:
        water = next(d for d in data["departments"] if d["department_id"] == "dept-water")
        water["categories"].append("safety.gas_leak")
        water["categories"].append("safety.dragons")

    edit(city_dir, "city.yaml", claim)
    message = refusal(city_dir)
    assert (
        "city.yaml: department 'dept-water' lists category 'safety.gas_leak', which categories.yaml gives to "
        "'dept-utilities'"
    ) in message
    assert "city.yaml: department 'dept-water' owns unknown category 'safety.dragons'" in message


def test_a_department_leaving_out_a_category_it_owns_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "city.yaml",
        lambda d: next(x for x in d["departments"] if x["department_id"] == "dept-water")["categories"].pop(),
    )
    assert "city.yaml: department 'dept-water' does not list category" in refusal(city_dir)


def test_a_department_without_a_category_list_gets_it_from_the_catalogue(city_dir: Path) -> None:
    edit(
        city_dir,
        "city.yaml",
        lambda d: next(x for x in d["departments"] if x["department_id"] == "dept-water").pop("categories"),
    )
    assert set(load_city(city_dir).department("dept-water").categories) == {
        "public_facility.water_main_burst",
        "environment.black_odorous_water",
    }


def test_a_gazetteer_entry_for_an_unknown_community_is_refused(city_dir: Path) -> None:
    edit(city_dir, "gazetteer.yaml", lambda d: d["communities"][0].update(community_id="c-atlantis"))
    assert "gazetteer.yaml: community 'c-atlantis' is not a community of city.yaml" in refusal(city_dir)


def test_an_alias_of_two_communities_is_refused(city_dir: Path) -> None:
    edit(city_dir, "gazetteer.yaml", lambda d: d["communities"][1]["aliases"].append("毓龙社区"))
    assert (
        "gazetteer.yaml: community 'c-tinghu-wenfeng-qingnian' has the alias '毓龙社区', already one of "
        "'c-tinghu-wenfeng-yulong'"
    ) in refusal(city_dir)


def test_a_road_in_two_communities_with_overlapping_house_numbers_is_refused(city_dir: Path) -> None:
    edit(
        city_dir,
        "gazetteer.yaml",
        lambda d: d["communities"][1]["roads"][1].update(numbers=[150, 499]),
    )
    assert "gazetteer.yaml: community 'c-tinghu-wenfeng-qingnian' has road '解放南路' where community" in (
        refusal(city_dir)
    )


def test_a_one_character_alias_is_refused(city_dir: Path) -> None:
    edit(city_dir, "gazetteer.yaml", lambda d: d["communities"][0]["aliases"].append("路"))
    assert "gazetteer.yaml: community 'c-tinghu-wenfeng-yulong' field 'aliases.3':" in refusal(city_dir)


def test_a_city_without_a_gazetteer_loads_and_matches_no_address(city_dir: Path) -> None:
    (city_dir / "gazetteer.yaml").unlink()
    assert load_city(city_dir).community_for_address("毓龙社区") is None
