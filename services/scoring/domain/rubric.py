"""The rubric: which indicators, with which formula variants, weigh how much, and what each grade earns.

Read from the versioned ``city/rubric.yaml``. The composite score is the weighted sum of the applicable
indicators, each as a score out of 100 (the rate itself, or 100 − rate for rates that are better low,
at least 0: a rework rate of 150 % scores 0),
divided by the sum of their weights: an indicator with no denominator (not applicable) neither helps nor
hurts, and a subject with no applicable indicator has no score and no grade. The score is rounded like
the rates (two decimals, half up) before it is graded, so the grade follows from the printed score.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.scoring.domain.indicators import CATALOGUE, evaluate
from shared.events.assessments import AssessmentCounters, IndicatorValue

_HUNDREDTH = Decimal("0.01")


class Grade(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grade: str
    name_zh: str
    # The lowest composite score that earns this grade.
    min_score: Decimal = Field(ge=0, le=100)
    # What the grade carries in the month's pay, in yuan: positive a reward, negative a penalty.
    pay_adjustment: int
    consequence: str = ""


class Rubric(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    name_zh: str = ""
    # indicator name → formula variant (CATALOGUE in domain/indicators.py lists them)
    indicators: dict[str, str]
    weights: dict[str, Decimal]
    grades: tuple[Grade, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        problems = []
        for name, variant in self.indicators.items():
            if name not in CATALOGUE:
                problems.append(f"unknown indicator {name!r} (known: {', '.join(CATALOGUE)})")
            elif variant not in CATALOGUE[name].variants:
                known = ", ".join(CATALOGUE[name].variants)
                problems.append(f"indicator {name!r} has no variant {variant!r} (known: {known})")
        for name, weight in self.weights.items():
            if name not in self.indicators:
                problems.append(f"weight for {name!r}, which the rubric does not compute")
            if weight < 0:
                problems.append(f"weight for {name!r} is negative")
        scores = [grade.min_score for grade in self.grades]
        if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
            problems.append("grades must be listed best first, with strictly falling min_score")
        if scores and scores[-1] != 0:
            problems.append("the last grade must start at min_score 0, so that every score has a grade")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True)
class Assessment:
    indicators: tuple[IndicatorValue, ...]
    score: str | None
    grade: Grade | None


def _score(indicators: tuple[IndicatorValue, ...], rubric: Rubric) -> str | None:
    weighted, weights = Decimal(0), Decimal(0)
    for indicator in indicators:
        weight = rubric.weights.get(indicator.name, Decimal(0))
        if indicator.value is None or weight == 0:
            continue
        value = Decimal(indicator.value)
        points = value if CATALOGUE[indicator.name].higher_is_better else 100 - value
        # Reworks, extensions and returns can outnumber the cases they are divided by (two reworks of
        # one case due): such a rate scores 0 points, never less, so the score stays within 0–100.
        points = min(max(points, Decimal(0)), Decimal(100))
        weighted += weight * points
        weights += weight
    if weights == 0:
        return None
    return str((weighted / weights).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


def grade_of(score: str | None, rubric: Rubric) -> Grade | None:
    if score is None:
        return None
    return next(grade for grade in rubric.grades if Decimal(score) >= grade.min_score)


def assess(counters: AssessmentCounters, rubric: Rubric) -> Assessment:
    indicators = tuple(evaluate(name, variant, counters) for name, variant in rubric.indicators.items())
    score = _score(indicators, rubric)
    return Assessment(indicators=indicators, score=score, grade=grade_of(score, rubric))
