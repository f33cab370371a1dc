"""The registry over time and through the week: effective dates, duty schedules, the departments' categories
and the address gazetteer, on the sample city."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.city import City, load_city
from shared.city.duty import Shift

CITY_DIR = Path(__file__).resolve().parents[2] / "city"
TODAY = load_city(CITY_DIR)


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


# --- versions ---------------------------------------------------------------------------------


def test_the_sample_registry_changes_on_its_dated_days() -> None:
    assert TODAY.change_dates == (
        date(2024, 12, 31),
        date(2025, 3, 1),
        date(2025, 7, 1),
        date(2025, 9, 1),
        date(2026, 12, 1),
    )


def test_a_worker_who_joined_on_a_day_is_not_in_the_registry_before_it() -> None:
    before, after = TODAY.as_of(date(2025, 8, 31)), TODAY.as_of(date(2025, 9, 1))
    assert "w-tinghu-wenfeng-05" not in {p.person_id for p in before.workers_of("g-tinghu-wenfeng-02")}
    assert "w-tinghu-wenfeng-05" in {p.person_id for p in after.workers_of("g-tinghu-wenfeng-02")}
    with pytest.raises(KeyError):
        before.person("w-tinghu-wenfeng-05")


def test_a_worker_who_moved_served_the_old_grid_until_the_day_of_the_move() -> None:
    assert TODAY.as_of(date(2025, 2, 28)).person("w-yandu-xindu-06").unit_id == "g-yandu-xindu-04"
    assert TODAY.as_of(date(2025, 3, 1)).person("w-yandu-xindu-06").unit_id == "g-yandu-xindu-03"


def test_someone_who_left_is_in_the_registry_only_until_their_last_day() -> None:
    officers = [p.person_id for p in TODAY.as_of(date(2024, 12, 30)).members_of("c-tinghu-wenfeng-yulong")]
    assert "co-tinghu-wenfeng-yulong-former" in officers
    assert "co-tinghu-wenfeng-yulong-former" not in {p.person_id for p in TODAY.people}


def test_a_redrawn_boundary_locates_a_point_by_the_boundary_of_the_reports_day() -> None:
    old = TODAY.as_of(date(2025, 6, 30)).grid("g-tinghu-wenfeng-01").polygon
    new = TODAY.grid("g-tinghu-wenfeng-01").polygon
    moved = old.difference(new).representative_point()  # in grid 01 before the redraw, in 02 after
    assert TODAY.as_of(date(2025, 6, 30)).locate(moved.x, moved.y) == "g-tinghu-wenfeng-01"
    assert TODAY.as_of(date(2025, 7, 1)).locate(moved.x, moved.y) == "g-tinghu-wenfeng-02"


def test_todays_registry_is_the_latest_of_each_record_that_has_started() -> None:
    assert len(TODAY.grids) == 20
    assert len({p.person_id for p in TODAY.people}) == len(TODAY.people)
    assert TODAY.as_of(date(2030, 1, 1)).person("op-yandu-2").role == "operator"


def test_a_registry_is_built_once_per_period_between_changes() -> None:
    assert TODAY.as_of(date(2025, 4, 1)) is TODAY.as_of(date(2025, 6, 30))
    assert TODAY.as_of(date(2025, 4, 1)) is not TODAY.as_of(date(2025, 7, 1))
    # only people changed on 2025-09-01: both periods share one grid locator
    assert TODAY.as_of(date(2025, 8, 1)).locator is TODAY.as_of(date(2025, 10, 1)).locator


def test_load_city_gives_the_registry_of_the_day_asked_for() -> None:
    assert load_city(CITY_DIR, on=date(2025, 1, 1)).person("w-yandu-xindu-06").unit_id == "g-yandu-xindu-04"


def test_a_city_built_by_hand_has_no_history_and_stands_for_every_day() -> None:
    fields = {name: getattr(TODAY, name) for name in City.model_fields}
    by_hand = City(**fields)
    assert by_hand.as_of(date(2020, 1, 1)) is by_hand
    assert by_hand.change_dates == ()


# --- duty schedules ---------------------------------------------------------------------------


def test_a_weekday_shift_covers_its_hours_on_its_days_only() -> None:
    shift = Shift.model_validate({"days": ["mon..fri"], "from": "08:30", "to": "17:30"})
    assert shift.days == ("mon", "tue", "wed", "thu", "fri")
    assert shift.covers(datetime(2026, 11, 27, 8, 30))  # a Friday
    assert not shift.covers(datetime(2026, 11, 27, 17, 30))
    assert not shift.covers(datetime(2026, 11, 28, 10, 0))  # Saturday


def test_a_night_shift_belongs_to_the_day_it_starts_on() -> None:
    shift = Shift.model_validate({"days": ["fri"], "from": "20:00", "to": "08:00"})
    assert shift.covers(datetime(2026, 11, 27, 23, 0))  # Friday night
    assert shift.covers(datetime(2026, 11, 28, 7, 59))  # Saturday morning, still Friday's shift
    assert not shift.covers(datetime(2026, 11, 27, 7, 0))  # Friday morning belongs to Thursday


def test_a_range_of_days_wraps_round_the_week() -> None:
    assert Shift.model_validate({"days": ["sat..mon"], "from": "00:00", "to": "24:00"}).days == (
        "sat",
        "sun",
        "mon",
    )


def test_on_duty_gives_the_grid_workers_whose_shift_covers_the_moment() -> None:
    grid = "g-tinghu-wenfeng-01"  # w-...-01 mon..fri 08:30-17:30, w-...-02 mon..fri 12:00-20:00, weekends
    assert [p.person_id for p in TODAY.on_duty(grid, at("2026-11-27", "09:00"))] == ["w-tinghu-wenfeng-01"]
    assert [p.person_id for p in TODAY.on_duty(grid, at("2026-11-27", "13:00"))] == [
        "w-tinghu-wenfeng-01",
        "w-tinghu-wenfeng-02",
    ]
    assert [p.person_id for p in TODAY.on_duty(grid, at("2026-11-28", "10:00"))] == ["w-tinghu-wenfeng-02"]


def test_on_duty_reads_the_moment_on_the_citys_clock() -> None:
    utc_morning = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00 in Yancheng
    assert [p.person_id for p in TODAY.on_duty("g-tinghu-wenfeng-01", utc_morning)] == ["w-tinghu-wenfeng-01"]


def test_when_nobody_is_scheduled_every_worker_of_the_grid_is_on_duty() -> None:
    grid = "g-tinghu-wenfeng-01"
    assert TODAY.on_duty(grid, at("2026-11-27", "23:00")) == TODAY.workers_of(grid)


def test_a_worker_without_shifts_is_always_on_duty() -> None:
    grid = "g-tinghu-wenfeng-03"  # its third worker has no shifts
    always = {p.person_id for p in TODAY.workers_of(grid) if not p.duty}
    assert always
    assert always <= {p.person_id for p in TODAY.on_duty(grid, at("2026-11-29", "03:00"))}


def test_on_duty_uses_the_staff_of_that_day() -> None:
    grid = "g-tinghu-wenfeng-02"  # w-...-05 (no shifts) joined on 2025-09-01
    assert "w-tinghu-wenfeng-05" not in {p.person_id for p in TODAY.on_duty(grid, at("2025-08-30", "03:00"))}
    assert "w-tinghu-wenfeng-05" in {p.person_id for p in TODAY.on_duty(grid, at("2025-09-01", "03:00"))}


# --- departments ------------------------------------------------------------------------------


def test_each_department_owns_exactly_the_categories_that_name_it() -> None:
    for department in TODAY.departments:
        owned = {c.code for c in TODAY.categories if c.department_id == department.department_id}
        assert set(department.categories) == owned
        assert {c.code for c in TODAY.categories_of(department.department_id)} == owned
    assert "safety.gas_leak" in TODAY.department("dept-utilities").categories


# --- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "community"),
    [
        ("盐城市亭湖区毓龙社区", "c-tinghu-wenfeng-yulong"),
        ("亭湖区 毓龙西路 18 号", "c-tinghu-wenfeng-yulong"),
        ("解放南路１５０号", "c-tinghu-wenfeng-yulong"),  # full-width digits
        ("解放南路300号", "c-tinghu-wenfeng-qingnian"),
        ("开放大道500号3幢", "c-yandu-panhuang-jingang"),
        ("开放大道120号", "c-yandu-xindu-kaifang"),
        ("YULONG community, Tinghu", "c-tinghu-wenfeng-yulong"),
        ("万家居委会旁边", "c-yandu-panhuang-wanjia"),
    ],
)
def test_an_address_names_its_community(address: str, community: str) -> None:
    assert TODAY.community_for_address(address) == community


@pytest.mark.parametrize(
    "address",
    [
        "南京市鼓楼区中山路1号",  # no term of this city
        "开放大道",  # a road through two communities, without a house number
        "解放南路900号",  # a number no section covers
        "毓龙社区和青年社区之间",  # two communities, equally well
        "",
    ],
)
def test_an_address_naming_no_community_or_several_goes_to_manual_triage(address: str) -> None:
    assert TODAY.community_for_address(address) is None
