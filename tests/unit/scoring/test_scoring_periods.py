from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scoring.domain import InvalidPeriod, Period, parse_period, period_of
from services.scoring.domain.periods import due_to_close
from tests.builders import at

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_an_instant_belongs_to_its_month_on_the_city_wall_clock():
    assert str(period_of(at("2026-11-15T04:00"), SHANGHAI)) == "2026-11"


def test_evening_of_the_last_day_in_utc_is_already_next_month_in_shanghai():
    assert str(period_of(at("2026-11-30T17:00"), SHANGHAI)) == "2026-12"


def test_the_last_second_before_local_midnight_stays_in_the_month():
    assert str(period_of(at("2026-11-30T15:59:59"), SHANGHAI)) == "2026-11"
    assert str(period_of(at("2026-11-30T16:00"), SHANGHAI)) == "2026-12"


def test_new_years_eve_in_utc_is_january_of_the_next_year_in_shanghai():
    assert str(period_of(at("2026-12-31T20:00"), SHANGHAI)) == "2027-01"


def test_a_naive_instant_has_no_period():
    with pytest.raises(ValueError, match="timezone"):
        period_of(datetime(2026, 11, 1), SHANGHAI)


def test_month_bounds_are_local_midnights_expressed_in_utc():
    start, end = Period(2026, 12).bounds(SHANGHAI)
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_periods_are_written_and_read_as_year_dash_month():
    assert parse_period("2026-01") == Period(2026, 1)
    assert str(Period(2026, 1)) == "2026-01"
    assert Period(2026, 12).next() == Period(2027, 1)


@pytest.mark.parametrize(
    "text",
    ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "", " 2026-11", "2026-Q5", "2026Q1"],
)
def test_anything_but_a_period_is_refused_with_the_expected_forms(text):
    with pytest.raises(InvalidPeriod, match=r"YYYY-MM.*YYYY-Qn.*YYYY"):
        parse_period(text)


def test_periods_order_chronologically():
    assert sorted([Period(2027, 1), Period(2026, 12), Period(2026, 2)]) == [
        Period(2026, 2),
        Period(2026, 12),
        Period(2027, 1),
    ]


@pytest.mark.parametrize(
    ("instant", "month", "quarter", "year"),
    [
        ("2026-11-15T04:00", "2026-11", "2026-Q4", "2026"),
        ("2026-03-31T15:59:59", "2026-03", "2026-Q1", "2026"),
        ("2026-03-31T16:00", "2026-04", "2026-Q2", "2026"),
        ("2026-12-31T16:00", "2027-01", "2027-Q1", "2027"),
    ],
)
def test_an_instant_falls_in_one_month_one_quarter_and_one_year_on_the_city_clock(
    instant, month, quarter, year
):
    assert [str(period_of(at(instant), SHANGHAI, kind)) for kind in ("month", "quarter", "year")] == [
        month,
        quarter,
        year,
    ]


def test_quarters_and_years_are_written_and_read_back():
    assert parse_period("2026-Q4") == Period(2026, 4, "quarter")
    assert parse_period("2026") == Period(2026, 1, "year")
    assert str(Period(2026, 4, "quarter")) == "2026-Q4"
    assert Period(2026, 4, "quarter").next() == Period(2027, 1, "quarter")
    assert Period(2026, 1, "year").next() == Period(2027, 1, "year")


def test_quarter_and_year_bounds_are_local_midnights_in_utc():
    assert Period(2026, 4, "quarter").bounds(SHANGHAI) == (
        datetime(2026, 9, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    assert Period(2026, 1, "year").bounds(SHANGHAI) == (
        datetime(2025, 12, 31, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )


def test_a_period_closes_its_grace_after_it_ends_on_the_citys_clock():
    # October ends at 16:00 UTC on 31 October (midnight in Shanghai); five days' grace: 5 November, 16:00.
    grace, periods = timedelta(days=5), ["2026-11", "2026-Q4", "2026-10", "2026-09"]
    closes = datetime(2026, 11, 5, 16, tzinfo=UTC)
    assert due_to_close(periods, closes - timedelta(seconds=1), SHANGHAI, grace) == ["2026-09"]
    assert due_to_close(periods, closes, SHANGHAI, grace) == ["2026-09", "2026-10"]
    assert due_to_close(periods, datetime(2027, 1, 5, 16, tzinfo=UTC), SHANGHAI, grace) == [
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-Q4",
    ]
