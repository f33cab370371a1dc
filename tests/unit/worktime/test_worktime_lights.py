"""Deadlines on their clocks, the moments a case turns yellow and red, and the light it shows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.worktime import Clock, Limit, Thresholds, clock_for, due_after, traffic_light
from tests.unit.worktime.conftest import HOUR, NATIONAL, SHANGHAI, at

WORKING = Clock(NATIONAL)
WALL = Clock(None)
DEFAULT = Thresholds()  # yellow at 75 %, red at 100 %


def test_a_working_day_limit_turns_yellow_after_three_quarters_of_its_working_time() -> None:
    due = due_after(at(2026, 3, 2, 9, 0), Limit.parse("P1D"), DEFAULT, WORKING)
    assert due.due == at(2026, 3, 3, 9, 0)
    assert due.yellow_at == at(2026, 3, 2, 16, 15)  # 5.25 working hours: 3 h morning, 2.25 h afternoon
    assert due.red_at == due.due


def test_a_wall_clock_limit_runs_through_nights_and_lunch() -> None:
    due = due_after(at(2026, 3, 2, 11, 0), Limit.parse("PT2H"), DEFAULT, WALL)
    assert due.due == at(2026, 3, 2, 13, 0)
    assert due.yellow_at == at(2026, 3, 2, 12, 30)


def test_demo_time_ignores_the_calendar_and_divides_the_wall_clock_limit() -> None:
    clock = clock_for(Limit.parse("P1D"), wall_clock=False, calendar=NATIONAL, scale=3600)
    assert clock.is_wall_clock
    start = at(2026, 2, 16, 23, 0)  # the middle of the Spring Festival, at night
    assert due_after(start, Limit.parse("P1D"), DEFAULT, clock).due == start + timedelta(seconds=24)


def test_the_clock_for_a_limit_follows_the_wall_clock_flag_at_real_time() -> None:
    assert clock_for(Limit.parse("P1D"), wall_clock=True, calendar=NATIONAL).is_wall_clock
    working = clock_for(Limit.parse("P1D"), wall_clock=False, calendar=NATIONAL, district_id="d-tinghu")
    assert working == Clock(NATIONAL, "d-tinghu")


def test_the_time_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="scale"):
        Clock(None, scale=0)


def test_the_light_is_green_then_yellow_then_red() -> None:
    started, deadline = at(2026, 3, 2, 9, 0), at(2026, 3, 2, 13, 0)
    assert traffic_light(at(2026, 3, 2, 11, 59), started, deadline, DEFAULT) == "green"
    assert traffic_light(at(2026, 3, 2, 12, 0), started, deadline, DEFAULT) == "yellow"
    assert traffic_light(deadline, started, deadline, DEFAULT) == "red"
    assert traffic_light(at(2026, 3, 5), started, deadline, DEFAULT) == "red"


def test_on_the_work_calendar_a_holiday_uses_none_of_the_limit() -> None:
    started = at(2025, 9, 30, 9, 0)
    deadline = due_after(started, Limit.parse("P1D"), DEFAULT, WORKING).due  # 9 October 09:00
    assert deadline == at(2025, 10, 9, 9, 0)
    assert traffic_light(at(2025, 10, 5, 12, 0), started, deadline, DEFAULT, WORKING) == "yellow"
    assert traffic_light(at(2025, 10, 5, 12, 0), started, deadline, DEFAULT) == "green"  # by the wall clock


def test_a_category_may_warn_earlier() -> None:
    started, deadline = at(2026, 3, 2, 9, 0), at(2026, 3, 2, 13, 0)
    assert traffic_light(at(2026, 3, 2, 11, 0), started, deadline, Thresholds(yellow=0.5)) == "yellow"


def test_red_may_come_before_the_deadline() -> None:
    due = due_after(at(2026, 3, 2, 9, 0), Limit.parse("PT4H"), Thresholds(yellow=0.5, red=0.9), WALL)
    assert due.red_at == at(2026, 3, 2, 12, 36)
    assert traffic_light(due.red_at, at(2026, 3, 2, 9, 0), due.due, Thresholds(yellow=0.5, red=0.9)) == "red"


@pytest.mark.parametrize(("yellow", "red"), [(0, 1), (0.8, 0.8), (1.0, 0.9), (-0.1, 1)])
def test_thresholds_need_yellow_before_red(yellow: float, red: float) -> None:
    with pytest.raises(ValueError, match="yellow"):
        Thresholds(yellow=yellow, red=red)


starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda naive: naive.replace(tzinfo=SHANGHAI)
)
limits = st.sampled_from(["PT1H", "PT4H", "P1D", "P2D", "P3DT2H", "P5D", "P1W"]).map(Limit.parse)
thresholds = st.tuples(st.floats(0.05, 0.95), st.floats(0.0, 0.5)).map(
    lambda pair: Thresholds(yellow=pair[0], red=pair[0] + 0.05 + pair[1])
)


@settings(max_examples=200, deadline=None)
@given(start=starts, limit=limits, levels=thresholds, wall=st.booleans())
def test_the_light_turns_exactly_at_the_moments_due_after_gives(
    start: datetime, limit: Limit, levels: Thresholds, wall: bool
) -> None:
    clock = WALL if wall else WORKING
    due = due_after(start, limit, levels, clock)
    tick = timedelta(microseconds=1)
    assert start <= due.yellow_at <= due.red_at
    assert traffic_light(due.yellow_at, start, due.due, levels, clock) == "yellow"
    assert traffic_light(due.yellow_at - tick, start, due.due, levels, clock) == "green"
    assert traffic_light(due.red_at, start, due.due, levels, clock) == "red"
    assert traffic_light(due.red_at - tick, start, due.due, levels, clock) != "red"
    assert traffic_light(due.red_at + HOUR, start, due.due, levels, clock) == "red"
