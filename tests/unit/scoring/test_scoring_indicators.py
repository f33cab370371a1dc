import pytest

from services.scoring.domain import CATALOGUE, percentage
from services.scoring.domain.counters import of
from services.scoring.domain.indicators import evaluate


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
        (2, 1, "200.00"),  # more reworks than cases due: reported, not capped
    ],
)
def test_rates_are_percentages_with_two_decimals_rounded_half_up(numerator, denominator, expected):
    assert percentage(numerator, denominator) == expected


def test_a_rate_over_no_cases_is_not_applicable_rather_than_zero():
    assert percentage(0, 0) is None


def test_a_denominator_a_variant_subtracts_below_zero_is_not_applicable():
    assert percentage(0, -1) is None


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        percentage(-1, 3)


COUNTERS = of(
    due_to_handle=10,
    handled=8,
    handled_on_time=6,
    handled_late=2,
    due_to_close=8,
    closed=7,
    closed_on_time=1,
    reworks=2,
    extensions=1,
    deferrals=3,
    returns=1,
    callbacks=4,
    satisfied_callbacks=3,
)


@pytest.mark.parametrize(
    ("name", "variant", "value", "numerator", "denominator"),
    [
        ("closure_rate", "standard", "87.50", ("closed", 7), ("due_to_close", 8)),
        ("on_time_closure_rate", "standard", "12.50", ("closed_on_time", 1), ("due_to_close", 8)),
        (
            "on_time_closure_rate",
            "excluding_deferrals",
            "20.00",
            ("closed_on_time", 1),
            ("due_to_close − deferrals", 5),
        ),
        ("handling_rate", "standard", "80.00", ("handled", 8), ("due_to_handle", 10)),
        ("on_time_handling_rate", "standard", "60.00", ("handled_on_time", 6), ("due_to_handle", 10)),
        ("rework_rate", "per_due_to_close", "25.00", ("reworks", 2), ("due_to_close", 8)),
        ("rework_rate", "per_handled", "25.00", ("reworks", 2), ("handled", 8)),
        ("extension_rate", "standard", "10.00", ("extensions", 1), ("due_to_handle", 10)),
        ("return_rate", "standard", "10.00", ("returns", 1), ("due_to_handle", 10)),
        ("satisfaction_rate", "standard", "75.00", ("satisfied_callbacks", 3), ("callbacks", 4)),
    ],
)
def test_every_indicator_and_variant_divides_what_domain_md_says(
    name, variant, value, numerator, denominator
):
    indicator = evaluate(name, variant, COUNTERS)
    assert indicator.value == value
    assert (indicator.numerator.formula, indicator.numerator.value) == numerator
    assert (indicator.denominator.formula, indicator.denominator.value) == denominator
    assert indicator.name_zh == CATALOGUE[name].name_zh


def test_a_subject_with_nothing_due_has_no_rates_at_all():
    assert {evaluate(name, d.default_variant, of()).value for name, d in CATALOGUE.items()} == {None}


def test_the_rework_rate_per_handled_case_is_not_applicable_when_nothing_was_handled():
    assert evaluate("rework_rate", "per_handled", of(due_to_close=3, reworks=1)).value is None
