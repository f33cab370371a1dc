"""The sample city in city/ loads, and a loaded City answers the questions dispatch and intake ask."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from shared.city import City, load_city

REPO = Path(__file__).resolve().parents[2]
CITY_DIR = REPO / "city"


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(CITY_DIR)


def test_sample_city_is_yancheng_with_two_districts_of_two_streets(city: City) -> None:
    assert (city.city_id, city.name_zh, city.timezone) == ("yancheng", "盐城市", "Asia/Shanghai")
    assert {d.name_zh for d in city.districts} == {"亭湖区", "盐都区"}
    assert {s.name_zh for s in city.streets} == {"文峰街道", "先锋街道", "新都街道", "潘黄街道"}
    assert all(len(d.street_ids) == 2 for d in city.districts)
    assert all(2 <= len(s.community_ids) <= 3 for s in city.streets)
    assert all(1 <= len(c.grid_ids) <= 3 for c in city.communities)
    assert 18 <= len(city.grids) <= 22
    assert city.version
    assert city.effective_from.year >= 2024


def test_sample_grids_are_realistic_in_size(city: City) -> None:
    km2_per_deg2 = 111.32 * 111.32 * 0.835  # at Yancheng's latitude
    areas = [grid.polygon.area * km2_per_deg2 for grid in city.grids]
    assert min(areas) >= 0.3
    assert max(areas) <= 1.0


def test_sample_city_is_one_piece_around_yancheng(city: City) -> None:
    assert city.outline.geom_type == "Polygon"
    assert city.outline.contains(city.outline.centroid)
    assert abs(city.outline.centroid.x - 120.15) < 0.02
    assert abs(city.outline.centroid.y - 33.38) < 0.02


def test_every_grid_has_one_chief_and_one_to_three_workers(city: City) -> None:
    for grid in city.grids:
        assert city.chief_of(grid.grid_id).role == "grid_chief"
        assert 1 <= len(city.workers_of(grid.grid_id)) <= 3
        assert all(worker.unit_id == grid.grid_id for worker in city.workers_of(grid.grid_id))


def test_sample_people_cover_every_role(city: City) -> None:
    roles = {person.role for person in city.people}
    assert roles == {
        "grid_worker",
        "grid_chief",
        "community_officer",
        "street_officer",
        "department_handler",
        "operator",
        "supervisor",
    }
    assert [p.person_id for p in city.members_of("d-tinghu", role="operator")] == ["op-tinghu"]


def test_ancestry_names_community_street_and_district_of_a_grid(city: City) -> None:
    community, street, district = city.ancestry("g-tinghu-wenfeng-01")
    assert community.grid_ids[0] == "g-tinghu-wenfeng-01"
    assert community.street_id == street.street_id == "s-tinghu-wenfeng"
    assert street.district_id == district.district_id == "d-tinghu"


def test_unknown_ids_raise_key_error_naming_the_id(city: City) -> None:
    with pytest.raises(KeyError, match="g-99"):
        city.grid("g-99")
    with pytest.raises(KeyError, match=r"nope\.nothing"):
        city.category("nope.nothing")
    with pytest.raises(KeyError):
        city.grid("c-tinghu-wenfeng-yulong")  # a community id is not a grid id


def test_unit_kind_tells_what_an_id_names(city: City) -> None:
    assert city.unit_kind("yancheng") == "city"
    assert city.unit_kind("d-yandu") == "district"
    assert city.unit_kind("g-yandu-xindu-01") == "grid"
    assert city.unit_kind("dept-water") == "department"
    assert city.unit_kind("w-yandu-xindu-01") is None


def test_catalogue_has_two_levels_with_departments_owning_district_tier(city: City) -> None:
    assert 5 <= len(city.category_groups) <= 7
    assert 18 <= len(city.categories) <= 25
    for category in city.categories:
        assert city.category(category.code) is category
        if category.default_tier == "district":
            assert city.department(category.department_id or "").department_id == category.department_id
    manhole = city.category("public_facility.manhole_cover")
    assert (manhole.name_zh, manhole.nature, manhole.is_urgent) == ("井盖破损", "public_facility", True)
    assert city.category("people.elderly_alone_help").group_id == "people"


def test_ten_departments(city: City) -> None:
    assert len(city.departments) == 10
    assert {d.name_zh for d in city.departments} >= {"城市管理局", "公安局", "民政局"}


@pytest.mark.parametrize(
    ("raw_key", "app_id"),
    [
        ("dev-key-resident-app", "resident-app"),
        ("dev-key-patrol-app", "patrol-app"),
        ("dev-key-rider-app", "rider-app"),
        ("dev-key-property-app", "property-app"),
        ("dev-key-hotline-12345", "hotline-12345"),
        ("dev-key-iot-gateway", "iot-gateway"),
    ],
)
def test_dev_api_key_finds_its_app(city: City, raw_key: str, app_id: str) -> None:
    app = city.app_for_key(raw_key)
    assert app is not None
    assert app.app_id == app_id


@pytest.mark.parametrize("raw_key", ["", "dev-key-", "DEV-KEY-RIDER-APP", "dev-key-rider-app ", "x" * 10_000])
def test_wrong_api_key_finds_no_app(city: City, raw_key: str) -> None:
    assert city.app_for_key(raw_key) is None


def test_an_app_posts_only_as_its_source_types(city: City) -> None:
    rider = city.app("rider-app")
    assert rider.may_post_as("delivery_rider")
    assert not rider.may_post_as("resident")


def test_grid_polygon_stays_out_of_the_serialised_record(city: City) -> None:
    assert "polygon" not in city.grid("g-yandu-panhuang-01").model_dump()


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_sample_city", REPO / "tools" / "make_sample_city.py")
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write(tmp_path)
    for name in (
        "city.yaml",
        "grids.geojson",
        "people.yaml",
        "categories.yaml",
        "apps.yaml",
        "gazetteer.yaml",
    ):
        assert (tmp_path / name).read_bytes() == (CITY_DIR / name).read_bytes(), name
