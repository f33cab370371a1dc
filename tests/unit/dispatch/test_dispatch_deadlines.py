"""Deadlines run from the dispatch instant by the time-limit matrix on the work calendar.

The sample city's matrix (city/time_limits.yaml) and calendar (city/calendar.yaml). Times are read on
the city's clock (Asia/Shanghai); working hours are 08:30-12:00 and 14:00-17:30.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.dispatch.domain import deadlines_for, dispatch_clock, dispatch_report
from services.dispatch.settings import DispatchSettings
from shared.events.cases import CaseAssigned, CaseOpened
from shared.settings import REPO_ROOT
from shared.worktime import load_worktime
from tests.unit.dispatch.conftest import CITY, NANJING, SUBMITTED_AT, make_report

WORKTIME = load_worktime(REPO_ROOT / "city", city=CITY)
SHANGHAI = ZoneInfo("Asia/Shanghai")
GARBAGE = CITY.category("city_appearance.garbage_overflow")  # grid, normal, P1D / P2D
MANHOLE = CITY.category("public_facility.manhole_cover")  # district, urgent, PT2H / PT24H
VENDING = CITY.category("city_appearance.street_vending")  # matrix cells at community and street


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_working_day_limits_count_working_hours_from_dispatch() -> None:
    deadlines = deadlines_for(GARBAGE, dispatched_at=local(2026, 3, 2, 10, 0), worktime=WORKTIME)

    assert deadlines.accept_by == local(2026, 3, 2, 11, 0)  # the default: one working hour
    assert deadlines.resolve_by == local(2026, 3, 3, 10, 0)  # P1D: one day's working hours
    assert deadlines.close_by == local(2026, 3, 4, 10, 0)  # P2D


def test_a_report_on_friday_evening_is_due_after_the_weekend() -> None:
    deadlines = deadlines_for(GARBAGE, dispatched_at=local(2026, 3, 6, 20, 0), worktime=WORKTIME)

    assert deadlines.accept_by == local(2026, 3, 9, 9, 30)
    assert deadlines.resolve_by == local(2026, 3, 9, 17, 30)


def test_the_golden_week_stops_the_clock() -> None:
    deadlines = deadlines_for(GARBAGE, dispatched_at=local(2025, 9, 30, 16, 0), worktime=WORKTIME)

    # 1.5 h on 30 September, 1-8 October off, then 5.5 h on Thursday 9 October.
    assert deadlines.resolve_by == local(2025, 10, 9, 16, 0)


def test_urgent_categories_run_on_the_wall_clock_through_the_night() -> None:
    dispatched = local(2026, 3, 6, 23, 0)

    deadlines = deadlines_for(MANHOLE, dispatched_at=dispatched, worktime=WORKTIME)

    assert deadlines.accept_by == dispatched + timedelta(minutes=15)
    assert deadlines.resolve_by == dispatched + timedelta(hours=2)
    assert deadlines.close_by == dispatched + timedelta(hours=24)


def test_a_raised_priority_puts_the_case_on_the_wall_clock() -> None:
    urgent_garbage = GARBAGE.model_copy(update={"priority": "urgent"})
    dispatched = local(2026, 3, 6, 23, 0)

    deadlines = deadlines_for(urgent_garbage, dispatched_at=dispatched, worktime=WORKTIME)

    assert deadlines.resolve_by == dispatched + timedelta(days=1)


def test_the_limits_are_the_matrix_cells_at_the_cases_tier() -> None:
    dispatched = local(2026, 3, 2, 9, 0)

    community = deadlines_for(VENDING, dispatched_at=dispatched, tier="community", worktime=WORKTIME)
    street = deadlines_for(VENDING, dispatched_at=dispatched, tier="street", worktime=WORKTIME)

    assert community.accept_by == local(2026, 3, 2, 11, 0)  # PT2H
    assert street.accept_by == local(2026, 3, 2, 15, 0)  # PT4H, across the lunch break
    assert community.resolve_by == local(2026, 3, 4, 9, 0)  # P2D
    assert street.resolve_by == local(2026, 3, 5, 9, 0)  # P3D


def test_the_case_turns_yellow_at_three_quarters_of_its_handling_time_and_red_at_the_deadline() -> None:
    deadlines = deadlines_for(GARBAGE, dispatched_at=local(2026, 3, 2, 9, 0), worktime=WORKTIME)

    assert deadlines.yellow_at == local(2026, 3, 2, 16, 15)  # 5.25 of 7 working hours
    assert deadlines.red_at == deadlines.resolve_by == local(2026, 3, 3, 9, 0)


def test_a_categorys_own_thresholds_warn_earlier() -> None:
    gas = CITY.category("safety.gas_leak")  # yellow at 50 %, PT30M on the wall clock
    dispatched = local(2026, 3, 2, 9, 0)

    deadlines = deadlines_for(gas, dispatched_at=dispatched, worktime=WORKTIME)

    assert deadlines.accept_by == dispatched + timedelta(minutes=5)
    assert deadlines.yellow_at == dispatched + timedelta(minutes=15)


def test_a_districts_local_holiday_counts_in_that_district_only() -> None:
    from datetime import date

    from shared.worktime import DayRules, WorkCalendar, WorkTime

    calendar = WorkCalendar.national(districts={"d-tinghu": DayRules(frozenset({date(2026, 3, 3)}))})
    worktime = WorkTime(calendar, WORKTIME.matrix)
    dispatched = local(2026, 3, 2, 10, 0)

    tinghu = deadlines_for(GARBAGE, dispatched_at=dispatched, district_id="d-tinghu", worktime=worktime)
    yandu = deadlines_for(GARBAGE, dispatched_at=dispatched, district_id="d-yandu", worktime=worktime)

    assert tinghu.resolve_by == local(2026, 3, 4, 10, 0)
    assert yandu.resolve_by == local(2026, 3, 3, 10, 0)


def test_without_a_city_matrix_the_catalogue_limits_run_on_the_national_calendar() -> None:
    deadlines = deadlines_for(GARBAGE, dispatched_at=local(2026, 2, 13, 17, 0))

    assert deadlines.resolve_by == local(2026, 2, 14, 17, 0)  # Saturday 14 February is a working day


def test_sla_scale_takes_limits_on_the_wall_clock_divided_and_ignores_the_calendar() -> None:
    festival_night = local(2026, 2, 16, 23, 0)

    deadlines = deadlines_for(GARBAGE, dispatched_at=festival_night, worktime=WORKTIME, sla_scale=3600)

    assert deadlines.resolve_by == festival_night + timedelta(seconds=24)
    assert deadlines.close_by == festival_night + timedelta(seconds=48)
    assert deadlines.accept_by == festival_night + timedelta(seconds=1)
    assert deadlines.yellow_at == festival_night + timedelta(seconds=18)


@pytest.mark.parametrize("scale", [0, -1.0])
def test_sla_scale_must_be_positive(scale: float) -> None:
    with pytest.raises(ValueError, match="sla_scale"):
        deadlines_for(GARBAGE, dispatched_at=SUBMITTED_AT, sla_scale=scale)
    with pytest.raises(ValidationError):
        DispatchSettings(sla_scale=scale)


def test_sla_scale_defaults_to_real_time_and_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert DispatchSettings().sla_scale == 1.0
    monkeypatch.setenv("GRIDLOOP_DISPATCH_SLA_SCALE", "720")
    assert DispatchSettings().sla_scale == 720


def test_opened_and_assigned_carry_the_same_deadlines() -> None:
    report = make_report(submitted_at=local(2026, 3, 2, 10, 0))

    opened, assigned = (
        o.event
        for o in dispatch_report(report, city=CITY, dispatched_at=dispatch_clock(report), worktime=WORKTIME)
    )

    assert isinstance(opened, CaseOpened)
    assert isinstance(assigned, CaseAssigned)
    fields = ("accept_by", "resolve_by", "close_by", "yellow_at", "red_at")
    assert [getattr(opened, name) for name in fields] == [getattr(assigned, name) for name in fields]
    assert opened.resolve_by == local(2026, 3, 3, 10, 0)
    assert None not in (opened.accept_by, opened.yellow_at, opened.red_at)


def test_an_unlocated_case_is_timed_at_district_tier() -> None:
    report = make_report(category="city_appearance.street_vending", location=NANJING)

    opened = dispatch_report(report, city=CITY, dispatched_at=local(2026, 3, 2, 9, 0), worktime=WORKTIME)[
        0
    ].event

    assert isinstance(opened, CaseOpened)
    assert opened.tier == "district"
    assert opened.accept_by == local(2026, 3, 2, 10, 0)  # the default, not the community's PT2H


def test_the_clock_starts_at_the_reports_submission_in_utc() -> None:
    naive = make_report(submitted_at=SUBMITTED_AT.replace(tzinfo=None))
    assert dispatch_clock(naive) == SUBMITTED_AT
    assert dispatch_clock(make_report()) == SUBMITTED_AT
    assert dispatch_clock(make_report()).tzinfo == UTC
