"""The sample city's calendar and matrix load; a broken file is refused naming the file and the record."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.city import CityDataError, load_city
from shared.settings import REPO_ROOT
from shared.worktime import Limit, Thresholds, load_worktime

CITY = load_city(REPO_ROOT / "city")


def write(directory: Path, calendar: Any = None, limits: Any = None) -> Path:
    if calendar is not None:
        (directory / "calendar.yaml").write_text(yaml.safe_dump(calendar), encoding="utf-8")
    if limits is not None:
        (directory / "time_limits.yaml").write_text(yaml.safe_dump(limits), encoding="utf-8")
    return directory


def refusal(directory: Path) -> str:
    with pytest.raises(CityDataError) as refused:
        load_worktime(directory, city=CITY)
    return str(refused.value)


def test_the_sample_citys_files_load() -> None:
    worktime = load_worktime(REPO_ROOT / "city", city=CITY)
    gas = CITY.category("safety.gas_leak")
    assert worktime.calendar.hours.working_day.total_seconds() == 7 * 3600
    assert worktime.calendar.hours.timezone == CITY.timezone
    assert worktime.matrix.limit(gas, "district", "accept") == Limit.parse("PT5M")
    assert worktime.matrix.thresholds_for(gas.code) == Thresholds(yellow=0.5, red=1.0)


def test_without_the_files_the_defaults_apply(tmp_path: Path) -> None:
    worktime = load_worktime(tmp_path, city=CITY)
    garbage = CITY.category("city_appearance.garbage_overflow")
    assert worktime.matrix.limit(garbage, "grid", "handle") == Limit.parse(garbage.resolve_within)
    assert not worktime.calendar.is_working_day(date(2025, 10, 1))


def test_configured_years_and_district_overrides_reach_the_calendar(tmp_path: Path) -> None:
    calendar = {
        "working_hours": ["09:00-17:00"],
        "years": [{"year": 2027, "holidays": [date(2027, 1, 1)], "working_days": [date(2027, 1, 2)]}],
        "districts": [{"district_id": "d-tinghu", "holidays": [date(2026, 3, 3)]}],
    }
    loaded = load_worktime(write(tmp_path, calendar=calendar), city=CITY).calendar
    assert loaded.hours.working_day.total_seconds() == 8 * 3600
    assert not loaded.is_working_day(date(2027, 1, 1))
    assert loaded.is_working_day(date(2027, 1, 2))
    assert not loaded.is_working_day(date(2026, 3, 3), "d-tinghu")


@pytest.mark.parametrize(
    ("calendar", "record", "problem"),
    [
        ({"years": [{"year": 2027, "holidays": [date(2028, 1, 1)]}]}, "year 2027", "not in year 2027"),
        ({"years": [{"year": 2027, "holidays": ["first of may"]}]}, "year 2027", "holidays.0"),
        ({"years": [{"year": 2027}, {"year": 2027}]}, "year 2027", "more than once"),
        (
            {"years": [{"year": 2027, "holidays": [date(2027, 1, 1)], "working_days": [date(2027, 1, 1)]}]},
            "year 2027",
            "both as holiday and as working day",
        ),
        ({"districts": [{"district_id": "d-atlantis"}]}, "district 'd-atlantis'", "not a district"),
        ({"working_hours": ["8:30-12:00"]}, "", "08:30-12:00"),
        ({"working_hours": ["08:30-12:00", "11:00-17:30"]}, "working_hours", "overlaps"),
        ({"timezone": "Mars/Base"}, "working_hours", "Mars/Base"),
        ({"weekends": "none"}, "", "weekends"),
    ],
)
def test_a_bad_calendar_is_refused_naming_file_and_record(
    tmp_path: Path, calendar: dict[str, Any], record: str, problem: str
) -> None:
    message = refusal(write(tmp_path, calendar=calendar))
    assert message.startswith(f"{tmp_path / 'calendar.yaml'}: {record}")
    assert problem in message


@pytest.mark.parametrize(
    ("limits", "record", "problem"),
    [
        ({"categories": [{"category": "no.such"}]}, "category 'no.such'", "not in the category catalogue"),
        (
            {"categories": [{"category": "safety.gas_leak", "limits": {"district": {"accept": "soon"}}}]},
            "category 'safety.gas_leak'",
            "limits.district.accept",
        ),
        (
            {"categories": [{"category": "safety.gas_leak", "limits": {"moon": {"accept": "PT5M"}}}]},
            "category 'safety.gas_leak'",
            "limits.moon",
        ),
        (
            {"categories": [{"category": "safety.gas_leak", "thresholds": {"yellow": 1.2}}]},
            "category 'safety.gas_leak'",
            "0 < yellow < red",
        ),
        (
            {"categories": [{"category": "safety.gas_leak"}, {"category": "safety.gas_leak"}]},
            "category 'safety.gas_leak'",
            "more than once",
        ),
        (
            {
                "categories": [
                    {
                        "category": "city_appearance.garbage_overflow",
                        "limits": {"grid": {"handle": "P3D", "close": "P2D"}},
                    }
                ]
            },
            "category 'city_appearance.garbage_overflow'",
            "grid: close P2D is shorter than handle P3D",
        ),
        ({"thresholds": {"yellow": 0.9, "red": 0.8}}, "thresholds", "0 < yellow < red"),
        ({"stage_defaults": {"accept": {"normal": "P0D"}}}, "", "longer than zero"),
        ({"wall_clock": {"priorities": ["whenever"]}}, "", "wall_clock.priorities.0"),
    ],
)
def test_a_bad_matrix_is_refused_naming_file_and_record(
    tmp_path: Path, limits: dict[str, Any], record: str, problem: str
) -> None:
    message = refusal(write(tmp_path, limits=limits))
    assert message.startswith(f"{tmp_path / 'time_limits.yaml'}: {record}")
    assert problem in message


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "time_limits.yaml").write_text("categories: [", encoding="utf-8")
    assert "is not valid YAML" in refusal(tmp_path)
