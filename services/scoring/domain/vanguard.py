"""Reporter credit turned into the two scores the city's party-building work names (DOMAIN.md):

- the **vanguard index** (先锋指数) of delivery riders and other volunteer reporters: points for each valid
  report they made and for each hour of volunteer service they delivered, in a period;
- **volunteer service hours** per person per year against the annual target (24 hours): the service tasks
  (categories the rules list, e.g. helping an elderly resident living alone) a person handled and saw
  closed, each worth the minutes the rules give it.

The rules are data (``city/vanguard.yaml``, versioned); these functions are the arithmetic. Hours and the
index are printed with two decimals, rounded half up, like every figure on a bulletin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

_HUNDREDTH = Decimal("0.01")


class VanguardRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    # Kinds of reporter (report source types) whose reports earn the vanguard index.
    reporter_source_types: tuple[str, ...] = ("delivery_rider",)
    points_per_valid_report: Decimal = Field(default=Decimal(2), ge=0)
    points_per_service_hour: Decimal = Field(default=Decimal(1), ge=0)
    annual_service_target_hours: Decimal = Field(default=Decimal(24), gt=0)
    # category → hours of volunteer service a closed case of it counts for whoever handled it
    service_tasks: dict[str, Decimal] = Field(default_factory=dict)

    def service_minutes(self) -> dict[str, int]:
        return {category: int(hours * 60) for category, hours in self.service_tasks.items()}


def hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


def vanguard_index(valid_reports: int, service_minutes: int, rules: VanguardRules) -> str:
    points = valid_reports * rules.points_per_valid_report
    points += Decimal(service_minutes) / 60 * rules.points_per_service_hour
    return str(points.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ServiceYear:
    """One person's volunteer service in a year against the target."""

    hours: str
    target_hours: str
    met: bool
    shortfall_hours: str


def service_year(service_minutes: int, rules: VanguardRules) -> ServiceYear:
    target_minutes = rules.annual_service_target_hours * 60
    short = max(Decimal(0), target_minutes - service_minutes)
    return ServiceYear(
        hours=hours(service_minutes),
        target_hours=str(rules.annual_service_target_hours.quantize(_HUNDREDTH)),
        met=service_minutes >= target_minutes,
        shortfall_hours=str((short / 60).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)),
    )


def shared_ranks(indexes: Sequence[str]) -> list[int]:
    """Competition ranks ("1224") of indexes listed best first: equal indexes share a rank."""
    ranks: list[int] = []
    for position, index in enumerate(indexes, start=1):
        tied = position > 1 and indexes[position - 2] == index
        ranks.append(ranks[-1] if tied else position)
    return ranks
