"""Limits are read with the units they were written in: days and hours are working time, minutes are not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.worktime import Limit
from tests.unit.worktime.conftest import WORKING_DAY


def test_a_working_day_is_the_days_working_hours() -> None:
    assert Limit.parse("P2D").working_length(WORKING_DAY) == timedelta(hours=14)
    assert Limit.parse("PT4H").working_length(WORKING_DAY) == timedelta(hours=4)
    assert Limit.parse("P1DT2H").working_length(WORKING_DAY) == timedelta(hours=9)


def test_a_week_is_five_working_days_but_seven_days_on_the_wall_clock() -> None:
    week = Limit.parse("P1W")
    assert week.working_length(WORKING_DAY) == 5 * WORKING_DAY
    assert week.wall_clock_length() == timedelta(days=7)


def test_on_the_wall_clock_a_day_is_twenty_four_hours() -> None:
    assert Limit.parse("P2D").wall_clock_length() == timedelta(days=2)
    assert Limit.parse("PT30M").wall_clock_length() == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("PT30M", True), ("PT1H30M", True), ("PT45S", True), ("PT2H", False), ("P1D", False)],
)
def test_limits_written_with_minutes_are_marked_as_such(text: str, minutes: bool) -> None:
    assert Limit.parse(text).written_in_minutes is minutes


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "2D", "P0D", "PT0M", "P-1D", "P1.5D", "p1d", "P1Y"])
def test_anything_but_a_positive_iso_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|longer than zero"):
        Limit.parse(text)


def test_a_limit_prints_as_it_was_written() -> None:
    assert str(Limit.parse("P1DT4H")) == "P1DT4H"
