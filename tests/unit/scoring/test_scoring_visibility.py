"""Which results a person sees: the subjects in their jurisdiction, as today's registry has it."""

from __future__ import annotations

from datetime import date

import pytest

from services.scoring.domain import Subject
from services.scoring.domain.visibility import Visibility
from shared.auth.registry import jurisdiction_of
from shared.city import City, load_city
from shared.settings import REPO_ROOT


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(REPO_ROOT / "city", on=date(2025, 6, 2))


def of(city: City, person_id: str) -> Visibility:
    person = city.person(person_id)
    return Visibility(person_id=person_id, jurisdiction=jurisdiction_of(person, city), city=city)


@pytest.mark.parametrize(
    ("person_id", "subject", "seen"),
    [
        ("op-tinghu", ("district", "d-tinghu"), True),
        ("op-tinghu", ("district", "d-yandu"), False),
        ("op-tinghu", ("grid", "g-tinghu-wenfeng-01"), True),
        ("op-tinghu", ("grid", "g-yandu-xindu-01"), False),
        ("op-tinghu", ("grid_worker", "w-tinghu-wenfeng-01"), True),
        ("op-tinghu", ("grid_worker", "w-yandu-xindu-01"), False),
        ("op-tinghu", ("reporter", "delivery_rider:r-1"), False),
        ("op-tinghu", ("department", "dept-housing"), False),
        ("so-tinghu-wenfeng-1", ("street", "s-tinghu-wenfeng"), True),
        ("so-tinghu-wenfeng-1", ("community", "c-tinghu-wenfeng-yulong"), True),
        ("so-tinghu-wenfeng-1", ("district", "d-tinghu"), False),
        ("w-tinghu-wenfeng-01", ("grid_worker", "w-tinghu-wenfeng-01"), True),
        ("w-tinghu-wenfeng-01", ("grid", "g-tinghu-wenfeng-01"), True),
        ("w-tinghu-wenfeng-01", ("grid_worker", "w-tinghu-wenfeng-02"), True),
        ("w-tinghu-wenfeng-01", ("grid", "g-tinghu-wenfeng-02"), False),
        ("dh-housing", ("department", "dept-housing"), True),
        ("dh-housing", ("department", "dept-water"), False),
        ("dh-housing", ("grid", "g-tinghu-wenfeng-01"), False),
        ("sv-yancheng", ("reporter", "delivery_rider:r-1"), True),
        ("sv-yancheng", ("grid_worker", "someone-who-left"), True),
    ],
)
def test_a_person_sees_the_subjects_in_their_jurisdiction(
    city: City, person_id: str, subject: tuple[str, str], seen: bool
):
    assert of(city, person_id).sees(Subject(*subject)) is seen  # type: ignore[arg-type]


def test_the_ids_a_district_operator_sees_of_each_level(city: City):
    operator = of(city, "op-tinghu")
    assert operator.subject_ids("district") == ["d-tinghu"]
    assert operator.subject_ids("street") == ["s-tinghu-wenfeng", "s-tinghu-xianfeng"]
    grids = operator.subject_ids("grid")
    assert grids is not None
    assert grids == operator.grid_ids()
    assert all(grid.startswith("g-tinghu-") for grid in grids)
    assert len(grids) == len([g for g in city.grids if g.grid_id.startswith("g-tinghu-")])
    assert operator.subject_ids("reporter") == []
    assert operator.subject_ids("department") == []


def test_city_wide_staff_see_everything_unfiltered(city: City):
    supervisor = of(city, "sv-yancheng")
    assert supervisor.everything
    assert supervisor.subject_ids("grid") is None
    assert supervisor.grid_ids() is None
