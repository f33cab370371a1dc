"""The registry as the console's map reads it: grids of the day as GeoJSON, the org tree, the red map."""

from __future__ import annotations

import json
from datetime import date

from shapely.geometry import shape

from services.console.city_views import CityViews, grids_content, org_content, red_map_content
from services.console.schemas import Me
from shared.city import City
from shared.city.red_map import OFFERS, load_red_map
from shared.settings import REPO_ROOT

BEFORE_REDRAW, AFTER_REDRAW = date(2025, 6, 30), date(2025, 7, 1)


def test_every_grid_in_force_is_a_feature_with_its_names_and_parents(city: City):
    today = city.as_of(AFTER_REDRAW)
    collection = grids_content(today)
    assert collection["type"] == "FeatureCollection"
    features = {f["properties"]["grid_id"]: f for f in collection["features"]}
    assert set(features) == {grid.grid_id for grid in today.grids}
    feature = features["g-tinghu-wenfeng-01"]
    assert feature["properties"] == {
        "grid_id": "g-tinghu-wenfeng-01",
        "name": today.grid("g-tinghu-wenfeng-01").name,
        "name_zh": today.grid("g-tinghu-wenfeng-01").name_zh,
        "community_id": "c-tinghu-wenfeng-yulong",
        "community_name_zh": "毓龙社区",
        "street_id": "s-tinghu-wenfeng",
        "street_name_zh": "文峰街道",
        "district_id": "d-tinghu",
        "district_name_zh": "亭湖区",
    }
    assert shape(feature["geometry"]).equals(today.grid("g-tinghu-wenfeng-01").polygon)


def test_the_grids_are_those_of_the_day_a_redrawn_boundary_shows_from_its_first_day(city: City):
    """The boundary between Yulong grids 1 and 2 was redrawn on 2025-07-01."""

    def polygon(day: date):
        features = grids_content(city.as_of(day))["features"]
        return next(
            shape(f["geometry"]) for f in features if f["properties"]["grid_id"] == "g-tinghu-wenfeng-01"
        )

    assert not polygon(BEFORE_REDRAW).equals(polygon(AFTER_REDRAW))
    views = CityViews(city, load_red_map(REPO_ROOT / "city", city))
    assert views.grids(BEFORE_REDRAW).etag != views.grids(AFTER_REDRAW).etag
    assert views.grids(AFTER_REDRAW) is views.grids(AFTER_REDRAW), "built once per day"


def test_the_org_tree_names_every_unit_in_both_languages(city: City):
    org = org_content(city)
    assert org["city"]["name_zh"] == "盐城市"
    districts = {d["district_id"]: d for d in org["districts"]}
    assert set(districts) == {"d-tinghu", "d-yandu"}
    wenfeng = next(s for s in districts["d-tinghu"]["streets"] if s["street_id"] == "s-tinghu-wenfeng")
    yulong = next(c for c in wenfeng["communities"] if c["community_id"] == "c-tinghu-wenfeng-yulong")
    assert yulong["name_zh"] == "毓龙社区"
    assert [g["grid_id"] for g in yulong["grids"]] == ["g-tinghu-wenfeng-01", "g-tinghu-wenfeng-02"]
    grids_in_tree = [
        g for d in org["districts"] for s in d["streets"] for c in s["communities"] for g in c["grids"]
    ]
    assert len(grids_in_tree) == len(city.grids)
    assert {d["department_id"] for d in org["departments"]} == {d.department_id for d in city.departments}
    assert all(d["name"] and d["name_zh"] for d in org["departments"])


def test_the_red_map_document_names_kinds_and_offers_and_gives_opening_hours(city: City):
    content = red_map_content(load_red_map(REPO_ROOT / "city", city))
    assert content["kinds"]["warm_heart_station"] == {"name_zh": "暖心驿站", "name": "Warm-heart station"}
    assert set(content["offers"]) == set(OFFERS)
    places = {p["place_id"]: p for p in content["places"]}
    post_office = places["wh-yulong-post-office"]
    assert post_office["opening_hours"] == [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "08:00", "to": "18:00"}
    ]
    assert (post_office["lon"], post_office["lat"], post_office["always_open"]) == (
        120.148624,
        33.382841,
        False,
    )
    assert places["wh-xinyang-petrol-station"]["always_open"] is True
    json.dumps(content)  # plain JSON all through


def test_me_names_the_unit_and_the_jurisdiction(city: City):
    me = Me.of(city.person("co-tinghu-wenfeng-yulong"), city)
    assert (me.unit_name, me.unit_name_en) == ("毓龙社区", "Yulong")
    assert (me.jurisdiction.level, me.jurisdiction.unit_id, me.city_wide) == (
        "community",
        "c-tinghu-wenfeng-yulong",
        False,
    )
    supervisor = Me.of(city.person("sv-yancheng"), city)
    assert (supervisor.unit_name, supervisor.city_wide, supervisor.jurisdiction.level) == (
        "盐城市",
        True,
        "city",
    )
