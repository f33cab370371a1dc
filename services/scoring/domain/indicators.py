"""Indicators from counters: closure rate (结案率) and on-time closure rate (按期结案率).

Bulletins print percentages with two decimals, rounded half up ("87.50"); a rate over no cases is
not zero but not applicable (None), so an idle subject neither tops nor trails a ranking.
The variant formulas DOMAIN.md mentions (÷ (应结案数 − 缓办数)) belong to later rubric versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.events.assessments import ClosureCounters

_HUNDREDTH = Decimal("0.01")


def percentage(numerator: int, denominator: int) -> str | None:
    if denominator < 0 or numerator < 0:
        raise ValueError("counts cannot be negative")
    if denominator == 0:
        return None
    ratio = Decimal(numerator) * 100 / Decimal(denominator)
    return str(ratio.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Indicators:
    closure_rate: str | None
    on_time_closure_rate: str | None


def indicators_of(counters: ClosureCounters) -> Indicators:
    return Indicators(
        closure_rate=percentage(counters.closed, counters.due_to_close),
        on_time_closure_rate=percentage(counters.closed_on_time, counters.due_to_close),
    )
