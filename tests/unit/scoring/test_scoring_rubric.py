from decimal import Decimal

import pytest
import yaml
from pydantic import ValidationError

from services.scoring.config import load_rubric
from services.scoring.domain import Rubric, assess
from services.scoring.domain.counters import of
from services.scoring.domain.rubric import grade_of
from shared.settings import REPO_ROOT

CITY_RUBRIC = REPO_ROOT / "city" / "rubric.yaml"


def rubric(**changes: object) -> Rubric:
    document = yaml.safe_load(CITY_RUBRIC.read_text(encoding="utf-8"))
    return Rubric.model_validate({**document, **changes})


def test_the_citys_rubric_loads_with_a_version_and_every_indicator_domain_md_names():
    loaded = load_rubric(CITY_RUBRIC)
    assert loaded.version == "yancheng-2026.2"
    assert set(loaded.indicators) >= {
        "closure_rate",
        "on_time_closure_rate",
        "handling_rate",
        "on_time_handling_rate",
        "rework_rate",
        "extension_rate",
        "return_rate",
        "satisfaction_rate",
    }


def test_the_composite_score_is_the_weighted_mean_of_the_applicable_indicators_by_hand():
    counters = of(
        due_to_handle=4, handled=3, handled_on_time=3, due_to_close=4, closed=3, closed_on_time=2, reworks=1
    )
    result = assess(counters, load_rubric(CITY_RUBRIC))
    # on-time closure 50 ×30, closure 75 ×20, on-time handling 75 ×20, handling 75 ×10, rework 100−25 ×10;
    # satisfaction has no callbacks: not applicable, its weight left out. 6000 / 90 = 66.666…
    assert result.score == "66.67"
    assert result.grade is not None
    assert (result.grade.grade, result.grade.pay_adjustment) == ("pass", 0)


def test_more_reworks_than_cases_due_score_no_rework_points_and_never_a_negative_score():
    # A month of one case due and not closed, reworked three times: rework rate 300 %.
    counters = of(due_to_handle=1, due_to_close=1, reworks=3)
    only_rework = rubric(weights={"rework_rate": Decimal(1)})

    result = assess(counters, only_rework)

    assert next(i.value for i in result.indicators if i.name == "rework_rate") == "300.00"
    assert result.score == "0.00"
    assert result.grade is not None
    assert result.grade.grade == "fail"


def test_a_subject_with_no_applicable_indicator_has_no_score_and_no_grade():
    result = assess(of(), load_rubric(CITY_RUBRIC))
    assert (result.score, result.grade) == (None, None)
    assert all(indicator.value is None for indicator in result.indicators)


def test_a_perfect_month_is_excellent_and_carries_its_reward():
    counters = of(due_to_handle=2, handled=2, handled_on_time=2, due_to_close=2, closed=2, closed_on_time=2)
    result = assess(counters, load_rubric(CITY_RUBRIC))
    assert result.score == "100.00"
    assert result.grade is not None
    assert (result.grade.name_zh, result.grade.pay_adjustment) == ("优秀", 600)


@pytest.mark.parametrize(
    ("score", "grade"),
    [("90.00", "excellent"), ("89.99", "good"), ("60.00", "pass"), ("59.99", "fail"), ("0.00", "fail")],
)
def test_grades_start_at_their_threshold(score, grade):
    found = grade_of(score, load_rubric(CITY_RUBRIC))
    assert found is not None
    assert found.grade == grade


def test_the_variant_the_rubric_selects_is_the_formula_used():
    counters = of(due_to_close=8, closed=4, closed_on_time=4, deferrals=3)
    standard = assess(counters, rubric())
    variant = assess(counters, rubric(indicators={"on_time_closure_rate": "excluding_deferrals"}, weights={}))
    assert [i.value for i in standard.indicators if i.name == "on_time_closure_rate"] == ["50.00"]
    assert [i.value for i in variant.indicators] == ["80.00"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"indicators": {"speed": "standard"}, "weights": {}}, "unknown indicator 'speed'"),
        ({"indicators": {"rework_rate": "per_moon"}, "weights": {}}, "no variant 'per_moon'"),
        ({"weights": {"handling_rate": Decimal(-1)}}, "negative"),
        ({"weights": {"speed": Decimal(1)}}, "does not compute"),
        ({"grades": [{"grade": "a", "name_zh": "甲", "min_score": 50, "pay_adjustment": 0}]}, "min_score 0"),
        (
            {
                "grades": [
                    {"grade": "a", "name_zh": "甲", "min_score": 0, "pay_adjustment": 0},
                    {"grade": "b", "name_zh": "乙", "min_score": 60, "pay_adjustment": 0},
                ]
            },
            "best first",
        ),
    ],
)
def test_a_rubric_that_cannot_be_applied_is_refused_saying_why(changes, problem):
    with pytest.raises(ValidationError, match=problem):
        rubric(**changes)
