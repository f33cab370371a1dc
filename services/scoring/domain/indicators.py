"""Indicators: DOMAIN.md's formulas, each with the local variants cities use, as data.

Bulletins print percentages with two decimals, rounded half up ("87.50"); a rate over no cases is not
zero but not applicable (None), so an idle subject neither tops nor trails a ranking. A denominator that
a variant subtracts down to zero or below is not applicable too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.events.assessments import AssessmentCounters, IndicatorValue, Ratio

_HUNDREDTH = Decimal("0.01")


def percentage(numerator: int, denominator: int) -> str | None:
    if numerator < 0:
        raise ValueError("counts cannot be negative")
    if denominator <= 0:
        return None
    ratio = Decimal(numerator) * 100 / Decimal(denominator)
    return str(ratio.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Formula:
    """A sum of counters less others, e.g. ``due_to_close − deferrals``."""

    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()

    def value(self, counters: AssessmentCounters) -> int:
        values = counters.model_dump()
        return sum(int(values[n]) for n in self.plus) - sum(int(values[n]) for n in self.minus)

    def __str__(self) -> str:
        return " − ".join([" + ".join(self.plus), *self.minus])


@dataclass(frozen=True)
class Definition:
    name: str
    name_zh: str
    numerator: Formula
    variants: Mapping[str, Formula]
    # Rework, extension and return rates are better low: the score takes 100 − rate for them.
    higher_is_better: bool = True
    default_variant: str = "standard"


def _d(name: str, zh: str, numerator: str, higher: bool = True, **variants: Formula) -> Definition:
    return Definition(name, zh, Formula((numerator,)), variants, higher, next(iter(variants)))


CATALOGUE: dict[str, Definition] = {
    d.name: d
    for d in (
        _d("closure_rate", "结案率", "closed", standard=Formula(("due_to_close",))),
        _d(
            "on_time_closure_rate",
            "按期结案率",
            "closed_on_time",
            standard=Formula(("due_to_close",)),
            excluding_deferrals=Formula(("due_to_close",), ("deferrals",)),
        ),
        _d("handling_rate", "处置率", "handled", standard=Formula(("due_to_handle",))),
        _d("on_time_handling_rate", "按期处置率", "handled_on_time", standard=Formula(("due_to_handle",))),
        _d(
            "rework_rate",
            "返工率",
            "reworks",
            False,
            per_due_to_close=Formula(("due_to_close",)),
            per_handled=Formula(("handled",)),
        ),
        _d("extension_rate", "延期率", "extensions", False, standard=Formula(("due_to_handle",))),
        _d("return_rate", "退单率", "returns", False, standard=Formula(("due_to_handle",))),
        _d("satisfaction_rate", "满意率", "satisfied_callbacks", standard=Formula(("callbacks",))),
        _d("valid_report_rate", "有效上报率", "valid_reports", standard=Formula(("reports",))),
    )
}


def evaluate(name: str, variant: str, counters: AssessmentCounters) -> IndicatorValue:
    definition = CATALOGUE[name]
    denominator = definition.variants[variant]
    top, bottom = definition.numerator.value(counters), denominator.value(counters)
    return IndicatorValue(
        name=name,
        name_zh=definition.name_zh,
        variant=variant,
        value=percentage(top, bottom),
        numerator=Ratio(formula=str(definition.numerator), value=top),
        denominator=Ratio(formula=str(denominator), value=bottom),
    )
