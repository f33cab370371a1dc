"""The time-limit matrix: category × tier × stage → limit, with warning thresholds and the wall-clock rule.

Stages, and when each one's clock starts:

- ``accept`` (签收): dispatch → the assignee signs for the case;
- ``handle`` (处置): dispatch → resolved (reported back with evidence); the accept limit lies inside it;
- ``verify`` (核查): resolution → verified, counted from the resolution (handling applies it then);
- ``close`` (结案): dispatch → closed. Its own limit, not the sum of the others: the assessment's
  on-time closure (按期结案) is measured against one overall budget fixed when the case is dispatched,
  and a sum would count the accept limit twice (it lies inside handle).

An absent cell falls back to the category (``resolve_within`` for handle, ``close_within`` for close)
or, for accept and verify, to the matrix's defaults per priority.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from shared.city import Category, Priority, Tier
from shared.worktime.limits import Limit

Stage = Literal["accept", "handle", "verify", "close"]
STAGES: tuple[Stage, ...] = ("accept", "handle", "verify", "close")
Light = Literal["green", "yellow", "red"]


@dataclass(frozen=True)
class Thresholds:
    """The share of a limit used at which a case turns yellow, and red."""

    yellow: float = 0.75
    red: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.yellow < self.red:
            raise ValueError(f"thresholds need 0 < yellow < red, got yellow {self.yellow} and red {self.red}")


@dataclass(frozen=True)
class WallClockRule:
    """Which limits run on the wall clock instead of working time.

    By default: every limit of an urgent category, and any limit written with minutes (``PT30M``).
    """

    priorities: frozenset[Priority] = frozenset({"urgent"})
    minute_limits: bool = True

    def applies(self, priority: Priority, limit: Limit) -> bool:
        return priority in self.priorities or (self.minute_limits and limit.written_in_minutes)


DEFAULT_STAGE_LIMITS: Mapping[tuple[Stage, Priority], Limit] = {
    ("accept", "normal"): Limit.parse("PT1H"),
    ("accept", "urgent"): Limit.parse("PT15M"),
    ("verify", "normal"): Limit.parse("P1D"),
    ("verify", "urgent"): Limit.parse("PT2H"),
}


@dataclass(frozen=True)
class TimeLimitMatrix:
    cells: Mapping[tuple[str, Tier, Stage], Limit] = field(default_factory=dict)
    stage_defaults: Mapping[tuple[Stage, Priority], Limit] = field(
        default_factory=lambda: dict(DEFAULT_STAGE_LIMITS)
    )
    thresholds: Thresholds = Thresholds()
    category_thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    wall_clock: WallClockRule = WallClockRule()

    def limit(self, category: Category, tier: Tier, stage: Stage) -> Limit:
        """The limit of ``stage`` for a case of ``category`` at ``tier``."""
        cell = self.cells.get((category.code, tier, stage))
        if cell is not None:
            return cell
        if stage == "handle":
            return Limit.parse(category.resolve_within)
        if stage == "close":
            return Limit.parse(category.close_within)
        return self.stage_defaults[(stage, category.priority)]

    def thresholds_for(self, category_code: str) -> Thresholds:
        return self.category_thresholds.get(category_code, self.thresholds)

    def runs_on_wall_clock(self, category: Category, limit: Limit) -> bool:
        return self.wall_clock.applies(category.priority, limit)
