"""The matrix gives each stage's limit at a tier, falling back to the category and the stage defaults."""

from __future__ import annotations

from typing import Any

from shared.worktime import Limit, Thresholds, TimeLimitMatrix, WallClockRule
from tests.unit.worktime.conftest import GARBAGE

GAS = GARBAGE.model_copy(
    update={
        "code": "safety.gas_leak",
        "priority": "urgent",
        "resolve_within": "PT30M",
        "close_within": "PT12H",
    }
)


def matrix(**fields: Any) -> TimeLimitMatrix:
    return TimeLimitMatrix(**fields)


def test_a_cell_wins_over_every_default() -> None:
    cells = {("city_appearance.garbage_overflow", "community", "handle"): Limit.parse("P3D")}
    assert matrix(cells=cells).limit(GARBAGE, "community", "handle") == Limit.parse("P3D")
    assert matrix(cells=cells).limit(GARBAGE, "grid", "handle") == Limit.parse("P1D")


def test_handle_and_close_default_to_the_categorys_limits() -> None:
    assert matrix().limit(GARBAGE, "grid", "handle") == Limit.parse("P1D")
    assert matrix().limit(GARBAGE, "street", "close") == Limit.parse("P2D")


def test_accept_and_verify_default_by_priority() -> None:
    assert matrix().limit(GARBAGE, "grid", "accept") == Limit.parse("PT1H")
    assert matrix().limit(GAS, "district", "accept") == Limit.parse("PT15M")
    assert matrix().limit(GARBAGE, "grid", "verify") == Limit.parse("P1D")
    assert matrix().limit(GAS, "grid", "verify") == Limit.parse("PT2H")


def test_thresholds_are_global_unless_the_category_has_its_own() -> None:
    early = Thresholds(yellow=0.5)
    table = matrix(category_thresholds={"safety.gas_leak": early})
    assert table.thresholds_for("safety.gas_leak") == early
    assert table.thresholds_for("city_appearance.garbage_overflow") == Thresholds(yellow=0.75, red=1.0)


def test_urgent_categories_and_minute_limits_run_on_the_wall_clock() -> None:
    table = matrix()
    assert table.runs_on_wall_clock(GAS, Limit.parse("P1D"))
    assert table.runs_on_wall_clock(GARBAGE, Limit.parse("PT30M"))
    assert not table.runs_on_wall_clock(GARBAGE, Limit.parse("PT4H"))
    assert not table.runs_on_wall_clock(GARBAGE, Limit.parse("P2D"))


def test_the_wall_clock_rule_is_configurable() -> None:
    working_only = matrix(wall_clock=WallClockRule(priorities=frozenset(), minute_limits=False))
    assert not working_only.runs_on_wall_clock(GAS, Limit.parse("PT30M"))
