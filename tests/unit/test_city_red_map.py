"""The red map file: the sample loads, and a broken one is refused naming the file and the place."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.city import City, CityDataError, load_city
from shared.city.red_map import OFFERS, build_red_map, load_red_map
from shared.settings import REPO_ROOT

CITY_DIR = REPO_ROOT / "city"


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(CITY_DIR)


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((CITY_DIR / "red_map.yaml").read_text(encoding="utf-8"))
    return document


def with_place(sample: dict[str, Any], index: int = 0, **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(sample)
    document["places"][index].update(changes)
    return document


def problems(document: Any, city: City) -> list[str]:
    with pytest.raises(CityDataError) as refused:
        build_red_map(document, city, "city/red_map.yaml")
    return [str(problem) for problem in refused.value.problems]


def test_the_sample_red_map_has_a_centre_for_every_street_and_community_and_warm_heart_stations(city: City):
    red_map = load_red_map(CITY_DIR, city)
    centres = {p.unit_id for p in red_map.places if p.kind == "party_mass_service_centre"}
    assert {s.street_id for s in city.streets} | {c.community_id for c in city.communities} <= centres
    stations = [p for p in red_map.places if p.kind == "warm_heart_station"]
    assert len(stations) >= 6
    assert {"water", "charging", "microwave", "first_aid", "rest", "toilet"} <= {
        offer for place in stations for offer in place.offers
    }


def test_the_sample_red_map_holds_on_every_day_the_registry_changes(city: City):
    for day in city.change_dates:
        load_red_map(CITY_DIR / "red_map.yaml", city.as_of(day))


def test_opening_hours_are_weekly_shifts_and_none_means_always_open(city: City):
    red_map = load_red_map(CITY_DIR, city)
    post_office = next(p for p in red_map.places if p.place_id == "wh-yulong-post-office")
    sunday_noon, sunday_night = datetime(2025, 6, 1, 12, 0), datetime(2025, 6, 1, 22, 0)
    assert any(shift.covers(sunday_noon) for shift in post_office.opening_hours)
    assert not any(shift.covers(sunday_night) for shift in post_office.opening_hours)
    petrol_station = next(p for p in red_map.places if p.place_id == "wh-xinyang-petrol-station")
    assert petrol_station.opening_hours == ()


def test_a_place_run_by_a_unit_the_city_does_not_have_is_refused(city: City, sample: dict[str, Any]):
    assert problems(with_place(sample, unit_id="c-nowhere"), city) == [
        "city/red_map.yaml: place 'pm-s-tinghu-wenfeng' is run by unknown unit 'c-nowhere'"
    ]


def test_a_place_run_by_a_department_is_refused(city: City, sample: dict[str, Any]):
    (problem,) = problems(with_place(sample, unit_id="dept-housing"), city)
    assert "is run by department 'dept-housing'" in problem


def test_a_place_outside_the_city_is_refused(city: City, sample: dict[str, Any]):
    swapped = with_place(sample, lon=33.383005, lat=120.158403 - 100)
    (problem,) = problems(swapped, city)
    assert problem.startswith("city/red_map.yaml: place 'pm-s-tinghu-wenfeng' lies outside the city")


def test_a_place_outside_the_unit_that_runs_it_is_refused(city: City, sample: dict[str, Any]):
    """Xianfeng street's centre moved to a point in Yandu district."""
    (problem,) = problems(with_place(sample, 1, lon=120.133452, lat=33.391242), city)
    assert problem == (
        "city/red_map.yaml: place 'pm-s-tinghu-xianfeng' lies in grid 'g-yandu-xindu-01', "
        "outside the unit that runs it, 's-tinghu-xianfeng'"
    )


def test_two_places_with_one_id_are_refused(city: City, sample: dict[str, Any]):
    document = copy.deepcopy(sample)
    document["places"].append(copy.deepcopy(document["places"][0]))
    assert problems(document, city) == [
        "city/red_map.yaml: place 'pm-s-tinghu-wenfeng' appears 2 times; place ids are unique"
    ]


def test_an_offer_outside_the_vocabulary_is_refused(city: City, sample: dict[str, Any]):
    (problem,) = problems(with_place(sample, offers=["water", "sauna", "karaoke"]), city)
    assert problem.startswith(
        "city/red_map.yaml: place 'pm-s-tinghu-wenfeng' offers unknown 'sauna', 'karaoke'"
    )
    assert all(offer in problem for offer in OFFERS), "the problem lists what may be offered"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "police_station"}, "kind"),
        ({"opening_hours": [{"days": ["mon"], "from": "8:30", "to": "17:30"}]}, "opening_hours.0.from"),
        ({"offers": []}, "offers"),
        ({"name_zh": ""}, "name_zh"),
        ({"lat": 95}, "lat"),
        ({"phone": "call us"}, "phone"),
    ],
)
def test_a_field_of_the_wrong_form_is_refused_naming_the_place_and_field(
    city: City, sample: dict[str, Any], changes: dict[str, Any], field: str
):
    (problem,) = problems(with_place(sample, 2, **changes), city)
    assert problem.startswith(f"city/red_map.yaml: place 'pm-s-yandu-xindu' field {field!r}: ")


def test_every_problem_is_reported_at_once(city: City, sample: dict[str, Any]):
    document = with_place(sample, 0, unit_id="c-nowhere")
    document["places"][3]["offers"] = ["sauna"]
    assert len(problems(document, city)) == 2


def test_a_missing_or_unreadable_file_is_refused_naming_it(city: City, tmp_path: Path):
    with pytest.raises(CityDataError, match=r"red_map\.yaml: cannot be read"):
        load_red_map(tmp_path, city)
    (tmp_path / "red_map.yaml").write_text("places: [unclosed", encoding="utf-8")
    with pytest.raises(CityDataError, match="is not valid YAML"):
        load_red_map(tmp_path, city)
