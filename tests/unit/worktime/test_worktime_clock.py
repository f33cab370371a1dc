"""Adding working time counts only working hours of working days, from the next working moment."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.worktime import DayRules, WorkCalendar, add_working_time, working_time_between
from tests.unit.worktime.conftest import HOUR, NATIONAL, SHANGHAI, WORKING_DAY, at


def add(start: datetime, amount: timedelta, calendar: WorkCalendar = NATIONAL) -> datetime:
    return add_working_time(start, amount, calendar=calendar)


def test_hours_within_a_morning_stay_in_the_morning() -> None:
    assert add(at(2026, 3, 2, 9, 0), 2 * HOUR) == at(2026, 3, 2, 11, 0)


def test_the_lunch_break_does_not_count() -> None:
    assert add(at(2026, 3, 2, 11, 0), 2 * HOUR) == at(2026, 3, 2, 15, 0)


def test_a_start_in_the_lunch_break_counts_from_the_afternoon() -> None:
    assert add(at(2026, 3, 2, 12, 30), HOUR) == at(2026, 3, 2, 15, 0)


def test_a_limit_used_up_at_noon_falls_due_at_noon() -> None:
    assert add(at(2026, 3, 2, 10, 0), 2 * HOUR) == at(2026, 3, 2, 12, 0)


def test_a_start_before_the_office_opens_counts_from_half_past_eight() -> None:
    assert add(at(2026, 3, 2, 6, 0), HOUR) == at(2026, 3, 2, 9, 30)


def test_a_friday_evening_report_waits_for_monday_morning() -> None:
    friday_evening = at(2026, 3, 6, 19, 45)
    assert add(friday_evening, 4 * HOUR) == at(2026, 3, 9, 14, 30)
    assert add(friday_evening, 2 * WORKING_DAY) == at(2026, 3, 10, 17, 30)


def test_a_working_day_from_mid_morning_ends_at_the_same_time_next_working_day() -> None:
    assert add(at(2026, 3, 2, 10, 0), WORKING_DAY) == at(2026, 3, 3, 10, 0)


def test_two_working_days_from_the_eve_of_the_golden_week_end_after_it() -> None:
    # 2025-09-30 (Tue) 10:00; 1-8 October off; 9 October (Thu) and 10 October (Fri) working.
    assert add(at(2025, 9, 30, 10, 0), 2 * WORKING_DAY) == at(2025, 10, 10, 10, 0)


def test_the_golden_weeks_adjusted_saturday_is_a_working_day() -> None:
    # Friday 2025-10-10 16:00 + 4 h: 1.5 h on Friday, the rest on Saturday 11 October, a working day.
    assert add(at(2025, 10, 10, 16, 0), 4 * HOUR) == at(2025, 10, 11, 11, 0)


def test_the_adjusted_sunday_before_the_golden_week_is_a_working_day() -> None:
    assert add(at(2025, 9, 27, 9, 0), HOUR) == at(2025, 9, 28, 9, 30)


def test_the_spring_festival_stops_the_clock_and_its_working_saturdays_run_it() -> None:
    # Friday 2026-02-13 17:00 + 1 working day: 0.5 h Friday, the rest on Saturday 14 February (worked).
    assert add(at(2026, 2, 13, 17, 0), WORKING_DAY) == at(2026, 2, 14, 17, 0)
    # Saturday 14 February 17:00 + 1 h: the festival runs 15-23 February, so Tuesday 24th.
    assert add(at(2026, 2, 14, 17, 0), HOUR) == at(2026, 2, 24, 9, 0)
    # Friday 27 February 17:00 + 1 h: the half hour left, then Saturday 28 February, a working day.
    assert add(at(2026, 2, 27, 17, 0), HOUR) == at(2026, 2, 28, 9, 0)


def test_a_year_boundary_into_an_unknown_year_falls_back_to_weekdays_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkCalendar.national()
    with caplog.at_level(logging.WARNING, logger="gridloop.worktime"):
        # Thursday 2026-12-31 16:00: 1.5 h that day, then Friday 2027-01-01 counted as a working day.
        due = add(at(2026, 12, 31, 16, 0), WORKING_DAY, calendar)
    assert due == at(2027, 1, 1, 16, 0)
    assert any("2027" in record.getMessage() for record in caplog.records)


def test_a_configured_year_carries_the_clock_over_its_holidays() -> None:
    new_year = DayRules(frozenset({date(2027, 1, 1)}))
    calendar = WorkCalendar.national(years={2027: new_year})
    assert add(at(2026, 12, 31, 16, 0), WORKING_DAY, calendar) == at(2027, 1, 4, 16, 0)


def test_a_districts_local_holiday_stops_its_clock_only() -> None:
    calendar = WorkCalendar.national(districts={"d-tinghu": DayRules(frozenset({date(2026, 3, 3)}))})
    start = at(2026, 3, 2, 17, 0)
    assert add_working_time(start, HOUR, calendar=calendar, district_id="d-tinghu") == at(2026, 3, 4, 9, 0)
    assert add_working_time(start, HOUR, calendar=calendar, district_id="d-yandu") == at(2026, 3, 3, 9, 0)


def test_the_answer_is_in_the_starts_time_zone() -> None:
    start = at(2026, 3, 2, 9, 0).astimezone(UTC)
    due = add(start, HOUR)
    assert due.tzinfo == UTC
    assert due == at(2026, 3, 2, 10, 0)


def test_zero_working_time_is_the_next_working_moment() -> None:
    assert add(at(2026, 3, 2, 9, 0), timedelta(0)) == at(2026, 3, 2, 9, 0)
    assert add(at(2026, 3, 7, 9, 0), timedelta(0)) == at(2026, 3, 9, 8, 30)


def test_naive_instants_and_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add(datetime(2026, 3, 2, 9, 0), HOUR)
    with pytest.raises(ValueError, match="negative"):
        add(at(2026, 3, 2, 9, 0), -HOUR)


def test_working_time_between_counts_only_working_hours() -> None:
    assert working_time_between(at(2026, 3, 6, 16, 0), at(2026, 3, 9, 9, 30), calendar=NATIONAL) == 2.5 * HOUR
    assert (
        working_time_between(at(2025, 9, 30, 0, 0), at(2025, 10, 9, 0, 0), calendar=NATIONAL) == WORKING_DAY
    )
    assert working_time_between(at(2026, 3, 2, 13, 0), at(2026, 3, 2, 11, 0), calendar=NATIONAL) == -HOUR


# Starts from 2025 through 2026 (all known to the library), at any minute of the day.
starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)
amounts = st.integers(min_value=1, max_value=30 * 7 * 60).map(lambda minutes: timedelta(minutes=minutes))


@settings(max_examples=300, deadline=None)
@given(start=starts, first=amounts, second=amounts)
def test_adding_working_time_in_two_steps_is_adding_it_at_once(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    assert add(add(start, first), second) == add(start, first + second)


@settings(max_examples=300, deadline=None)
@given(start=starts, shorter=amounts, extra=amounts)
def test_more_working_time_never_falls_due_earlier(
    start: datetime, shorter: timedelta, extra: timedelta
) -> None:
    assert add(start, shorter) < add(start, shorter + extra)


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=amounts)
def test_the_working_time_between_a_start_and_its_deadline_is_the_amount_added(
    start: datetime, amount: timedelta
) -> None:
    due = add(start, amount)
    assert working_time_between(start, due, calendar=NATIONAL) == amount
    assert due > start
    # The deadline is always inside working hours (an end of a period counts as inside).
    local = due.astimezone(SHANGHAI)
    assert NATIONAL.is_working_day(local.date())
    assert any(opens < local <= closes for opens, closes in NATIONAL.hours.periods_on(local.date()))
