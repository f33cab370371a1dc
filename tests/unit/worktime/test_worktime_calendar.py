"""Which days are working days: the library, configured years, district overrides and the fallback."""

from __future__ import annotations

import logging
from datetime import date, time

import pytest

from shared.worktime import DayRules, WorkCalendar, WorkingHours
from tests.unit.worktime.conftest import NATIONAL, WORKING_DAY


def test_the_national_day_golden_week_is_off_and_its_adjusted_weekend_days_are_worked() -> None:
    assert not any(NATIONAL.is_working_day(date(2025, 10, day)) for day in range(1, 9))
    assert NATIONAL.is_working_day(date(2025, 9, 28))  # a Sunday made a working day
    assert NATIONAL.is_working_day(date(2025, 10, 11))  # a Saturday made a working day
    assert NATIONAL.is_working_day(date(2025, 10, 9))


def test_the_spring_festival_2026_runs_nine_days_with_two_saturdays_worked() -> None:
    assert not any(NATIONAL.is_working_day(date(2026, 2, day)) for day in range(15, 24))
    assert NATIONAL.is_working_day(date(2026, 2, 14))
    assert NATIONAL.is_working_day(date(2026, 2, 28))
    assert not NATIONAL.is_working_day(date(2026, 3, 1))  # an ordinary Sunday


def test_ordinary_weekdays_work_and_weekends_do_not() -> None:
    assert NATIONAL.is_working_day(date(2026, 3, 2))  # Monday
    assert not NATIONAL.is_working_day(date(2026, 3, 7))  # Saturday


def test_past_all_known_data_weekdays_work_with_a_warning_once_per_year(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkCalendar.national()
    assert not calendar.knows(2027)
    with caplog.at_level(logging.WARNING, logger="gridloop.worktime"):
        assert calendar.is_working_day(date(2027, 1, 1))  # New Year's Day, unknown to the fallback
        assert not calendar.is_working_day(date(2027, 1, 2))
        assert calendar.is_working_day(date(2027, 1, 4))
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()


def test_a_configured_year_replaces_the_library_and_the_fallback() -> None:
    calendar = WorkCalendar.national(
        years={
            2027: DayRules(frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 2)})),
            2025: DayRules(),  # a correction: 2025 as if it had no holidays
        }
    )
    assert calendar.knows(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 1, 2))  # a Saturday made a working day
    assert calendar.is_working_day(date(2025, 10, 1))


def test_a_districts_overrides_apply_in_that_district_only() -> None:
    local_festival, extra_saturday = date(2026, 3, 3), date(2026, 3, 7)
    calendar = WorkCalendar.national(
        districts={"d-tinghu": DayRules(frozenset({local_festival}), frozenset({extra_saturday}))}
    )
    assert not calendar.is_working_day(local_festival, "d-tinghu")
    assert calendar.is_working_day(extra_saturday, "d-tinghu")
    assert calendar.is_working_day(local_festival, "d-yandu")
    assert calendar.is_working_day(local_festival)
    assert not calendar.is_working_day(extra_saturday, "d-yandu")
    # Days the district does not name follow the national calendar.
    assert not calendar.is_working_day(date(2026, 2, 16), "d-tinghu")


def test_working_hours_sum_to_a_working_day() -> None:
    assert NATIONAL.hours.working_day == WORKING_DAY
    assert WorkingHours(((time(9), time(17)),)).working_day.total_seconds() == 8 * 3600


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((time(12), time(8, 30)),),
        ((time(8, 30), time(12)), (time(11), time(17))),
        ((time(14), time(17)), (time(8), time(12))),
    ],
)
def test_working_hours_must_be_ordered_and_disjoint(periods: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(ValueError, match="period"):
        WorkingHours(periods)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Exception, match="Mars"):
        WorkingHours(((time(9), time(17)),), timezone="Mars/Olympus_Mons")
