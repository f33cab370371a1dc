"""A stage's limit is placed on its clock once per category, tier, stage, district and time scale, and
remembered: every one of those, and the category's own limits and priority, gives its own placing."""

from __future__ import annotations

from datetime import timedelta

from shared.city import Tier
from shared.worktime import Limit, Placed, Stage, TimeLimitMatrix, WorkCalendar, WorkTime
from tests.unit.worktime.conftest import GARBAGE, WORKING_DAY


def worktime() -> WorkTime:
    cells: dict[tuple[str, Tier, Stage], Limit] = {
        ("city_appearance.garbage_overflow", "community", "handle"): Limit.parse("P3D")
    }
    return WorkTime(WorkCalendar.national(), TimeLimitMatrix(cells=cells))


def test_a_placed_limit_is_the_matrix_limit_on_the_calendar() -> None:
    placed = worktime().placed(GARBAGE, "grid", "handle", district_id="d-tinghu", scale=1.0)
    assert placed.limit == Limit.parse("P1D")
    assert placed.length == WORKING_DAY
    assert placed.clock.calendar is not None
    assert placed.clock.district_id == "d-tinghu"


def test_each_tier_stage_district_and_scale_is_placed_on_its_own() -> None:
    shared = worktime()

    def handle(
        tier: Tier = "grid", stage: Stage = "handle", district: str | None = None, scale: float = 1.0
    ) -> Placed:
        return shared.placed(GARBAGE, tier, stage, district_id=district, scale=scale)

    assert handle().length == WORKING_DAY
    assert handle(tier="community").length == 3 * WORKING_DAY
    assert handle(stage="close").length == 2 * WORKING_DAY
    assert handle(district="d-yandu").clock.district_id == "d-yandu"
    assert handle(district=None).clock.district_id is None
    demo = handle(scale=3600.0)
    assert demo.clock.is_wall_clock
    assert demo.length == timedelta(days=1) / 3600


def test_a_category_with_other_limits_or_a_raised_priority_is_placed_anew() -> None:
    shared = worktime()
    assert shared.placed(GARBAGE, "grid", "handle", district_id=None, scale=1.0).length == WORKING_DAY

    longer = GARBAGE.model_copy(update={"resolve_within": "P2D"})
    assert shared.placed(longer, "grid", "handle", district_id=None, scale=1.0).length == 2 * WORKING_DAY
    later_close = GARBAGE.model_copy(update={"close_within": "P4D"})
    assert shared.placed(later_close, "grid", "close", district_id=None, scale=1.0).length == 4 * WORKING_DAY

    urgent = GARBAGE.model_copy(update={"priority": "urgent"})
    raised = shared.placed(urgent, "grid", "handle", district_id=None, scale=1.0)
    assert raised.clock.is_wall_clock  # an urgent case runs on the wall clock: P1D is 24 hours
    assert raised.length == timedelta(days=1)
    accept = shared.placed(urgent, "grid", "accept", district_id=None, scale=1.0)
    assert accept.limit == Limit.parse("PT15M")  # the urgent default, not the normal one's PT1H
