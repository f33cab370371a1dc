import pytest

from services.scoring.domain import indicators_of, percentage
from shared.events.assessments import ClosureCounters


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (7, 8, "87.50"),
        (2, 3, "66.67"),
        (1, 8, "12.50"),
        (1, 3, "33.33"),
        (1, 1, "100.00"),
        (0, 5, "0.00"),
        (1, 200, "0.50"),
        (1, 1600, "0.06"),  # 0.0625
        (1, 800, "0.13"),  # 0.125: half up gives 0.13 where banker's rounding would give 0.12
        (5, 16000, "0.03"),  # 0.03125
    ],
)
def test_rates_are_percentages_with_two_decimals_rounded_half_up(numerator, denominator, expected):
    assert percentage(numerator, denominator) == expected


def test_a_rate_over_no_cases_is_not_applicable_rather_than_zero():
    assert percentage(0, 0) is None


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        percentage(-1, 3)


def test_closure_rate_and_on_time_closure_rate_divide_by_cases_due_to_close():
    indicators = indicators_of(ClosureCounters(due_to_close=8, closed=7, closed_on_time=1))
    assert indicators.closure_rate == "87.50"
    assert indicators.on_time_closure_rate == "12.50"


def test_a_subject_with_nothing_due_has_no_rates():
    indicators = indicators_of(ClosureCounters(due_to_close=0, closed=0, closed_on_time=0))
    assert indicators.closure_rate is None
    assert indicators.on_time_closure_rate is None
