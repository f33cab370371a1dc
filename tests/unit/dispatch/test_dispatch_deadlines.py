"""Deadlines run from the dispatch instant by the category's limits, divided by the SLA scale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.dispatch.domain import deadlines_for, dispatch_clock, dispatch_report
from services.dispatch.settings import DispatchSettings
from shared.events.cases import CaseAssigned, CaseOpened
from tests.unit.dispatch.conftest import CITY, SUBMITTED_AT, make_report


def test_deadlines_are_the_category_limits_after_dispatch() -> None:
    garbage = CITY.category("city_appearance.garbage_overflow")  # P1D / P2D

    deadlines = deadlines_for(garbage, dispatched_at=SUBMITTED_AT)

    assert deadlines.resolve_by == SUBMITTED_AT + timedelta(days=1)
    assert deadlines.close_by == SUBMITTED_AT + timedelta(days=2)


def test_urgent_limits_in_hours_run_on_the_wall_clock() -> None:
    manhole = CITY.category("public_facility.manhole_cover")  # PT2H / PT24H

    deadlines = deadlines_for(manhole, dispatched_at=SUBMITTED_AT)

    assert deadlines.resolve_by == SUBMITTED_AT + timedelta(hours=2)
    assert deadlines.close_by == SUBMITTED_AT + timedelta(hours=24)


def test_sla_scale_compresses_every_limit() -> None:
    garbage = CITY.category("city_appearance.garbage_overflow")

    deadlines = deadlines_for(garbage, dispatched_at=SUBMITTED_AT, sla_scale=3600)

    assert deadlines.resolve_by == SUBMITTED_AT + timedelta(seconds=24)
    assert deadlines.close_by == SUBMITTED_AT + timedelta(seconds=48)


@pytest.mark.parametrize("scale", [0, -1.0])
def test_sla_scale_must_be_positive(scale: float) -> None:
    garbage = CITY.category("city_appearance.garbage_overflow")
    with pytest.raises(ValueError, match="sla_scale"):
        deadlines_for(garbage, dispatched_at=SUBMITTED_AT, sla_scale=scale)
    with pytest.raises(ValidationError):
        DispatchSettings(sla_scale=scale)


def test_sla_scale_defaults_to_real_time_and_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert DispatchSettings().sla_scale == 1.0
    monkeypatch.setenv("GRIDLOOP_DISPATCH_SLA_SCALE", "720")
    assert DispatchSettings().sla_scale == 720


def test_opened_and_assigned_carry_the_same_deadlines() -> None:
    report = make_report()

    opened, assigned = (o.event for o in dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT))

    assert isinstance(opened, CaseOpened)
    assert isinstance(assigned, CaseAssigned)
    assert (opened.resolve_by, opened.close_by) == (assigned.resolve_by, assigned.close_by)
    assert opened.occurred_at == assigned.occurred_at == SUBMITTED_AT


def test_the_clock_starts_at_the_reports_submission_in_utc() -> None:
    naive = make_report(submitted_at=SUBMITTED_AT.replace(tzinfo=None))
    assert dispatch_clock(naive) == SUBMITTED_AT
    assert dispatch_clock(make_report()) == SUBMITTED_AT
