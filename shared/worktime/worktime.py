"""The city's work calendar and time-limit matrix together, and each stage's limit placed on its clock.

Where a limit runs (working time or wall clock) and how long it is depend only on the category's limits
and priority, the case's tier, the stage, the district's calendar and the time scale, never on the case:
``WorkTime.placed`` works each one out once and remembers it, so a deadline costs only the clock
arithmetic from the dispatch instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shared.city import Category, Priority, Tier
from shared.worktime.lights import Clock, clock_for
from shared.worktime.limits import Limit
from shared.worktime.matrix import Stage, TimeLimitMatrix
from shared.worktime.workcalendar import WorkCalendar

# A few categories x tiers x stages x districts; a bound all the same, for a city of many districts.
_PLACED_MEMO_SIZE = 65_536

# Everything of a case a placed limit depends on: the category's code, priority and own limits (a raised
# priority or a corrected limit is another key), the tier, the stage, the district and the time scale.
_PlacedKey = tuple[str, Priority, str, str, Tier, Stage, "str | None", float]


@dataclass(frozen=True, slots=True)
class Placed:
    """A stage's limit on the clock it runs on, and how much of that clock's time it gives."""

    limit: Limit
    clock: Clock
    length: timedelta


@dataclass(frozen=True)
class WorkTime:
    """The city's work calendar and time-limit matrix: everything a deadline is computed from."""

    calendar: WorkCalendar
    matrix: TimeLimitMatrix
    # Memo of placed limits; lives and dies with the calendar and matrix it was worked out from.
    _placed: dict[_PlacedKey, Placed] = field(default_factory=dict, compare=False, repr=False)

    def placed(
        self, category: Category, tier: Tier, stage: Stage, *, district_id: str | None, scale: float
    ) -> Placed:
        """The limit of ``stage`` for a case of ``category`` at ``tier`` in ``district_id``, on its clock
        (demo time when ``scale`` ≠ 1)."""
        key: _PlacedKey = (
            category.code,
            category.priority,
            category.resolve_within,
            category.close_within,
            tier,
            stage,
            district_id,
            scale,
        )
        found = self._placed.get(key)
        if found is None:
            limit = self.matrix.limit(category, tier, stage)
            clock = clock_for(
                limit,
                wall_clock=self.matrix.runs_on_wall_clock(category, limit),
                calendar=self.calendar,
                district_id=district_id,
                scale=scale,
            )
            if len(self._placed) >= _PLACED_MEMO_SIZE:
                self._placed.clear()
            found = self._placed[key] = Placed(limit, clock, clock.length(limit))
        return found
