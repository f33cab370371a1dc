"""The vanguard index and volunteer hours: the city's rules as arithmetic, two decimals half up."""

from decimal import Decimal

import pytest

from services.scoring.config import load_vanguard
from services.scoring.domain.vanguard import VanguardRules, hours, service_year, vanguard_index
from shared.settings import REPO_ROOT

RULES = VanguardRules(version="t", points_per_valid_report=Decimal(2), points_per_service_hour=Decimal("1.5"))


def test_the_sample_citys_rules_load_and_name_their_service_tasks_in_minutes():
    rules = load_vanguard(REPO_ROOT / "city" / "vanguard.yaml")

    assert rules.reporter_source_types == ("delivery_rider",)
    assert rules.service_minutes()["people.elderly_alone_help"] == 120
    assert rules.annual_service_target_hours == 24


def test_the_index_is_points_for_valid_reports_plus_points_for_service_hours():
    assert vanguard_index(valid_reports=3, service_minutes=90, rules=RULES) == "8.25"  # 6 + 1.5 × 1.5


def test_a_reporter_with_nothing_valid_and_no_service_has_index_zero():
    assert vanguard_index(0, 0, RULES) == "0.00"


@pytest.mark.parametrize(
    ("minutes", "met", "short"),
    [(0, False, "24.00"), (1439, False, "0.02"), (1440, True, "0.00"), (2000, True, "0.00")],
)
def test_volunteer_hours_against_the_24_hour_target(minutes, met, short):
    year = service_year(minutes, RULES)

    assert (year.met, year.shortfall_hours, year.target_hours) == (met, short, "24.00")


def test_hours_are_printed_with_two_decimals_rounded_half_up():
    assert hours(1) == "0.02"  # 0.01666…
    assert hours(45) == "0.75"
