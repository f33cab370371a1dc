"""Hotspots and recurrences as rules: a window against the grid's own baseline, and a problem back near
where a case was closed not long before."""

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from services.scoring.config import load_analysis
from services.scoring.domain.hotspots import (
    AnalysisRules,
    Thresholds,
    anchor_reach,
    expected,
    hotspot_alert,
    is_hot,
    spell_of,
    windows,
)
from services.scoring.domain.places import Place
from services.scoring.domain.recurrence import (
    ClosedNearby,
    distance_m,
    recurrence_alert,
    recurrence_of,
    repeats,
)
from shared.settings import REPO_ROOT
from tests.builders import at

WEEKLY = Thresholds(window_days=Decimal(7), baseline_days=Decimal(56), min_count=3, ratio=Decimal(2))
RULES = AnalysisRules(version="t", recurrence_days=Decimal(30), recurrence_radius_m=100)


def test_the_baseline_is_scaled_to_the_window():
    assert expected(16, WEEKLY) == Decimal(2)  # 16 cases in 8 weeks: 2 a week


@pytest.mark.parametrize(
    ("count", "baseline", "hot"),
    [
        (3, 0, True),  # no history: the minimum alone decides
        (2, 0, False),  # under the minimum, however quiet the grid was
        (4, 16, True),  # twice the usual two a week
        (3, 16, False),  # more than usual, but not twice
        (10, 80, False),  # a busy grid at its usual ten a week
    ],
)
def test_a_window_is_hot_at_the_minimum_and_ratio_times_its_baseline(count, baseline, hot):
    assert is_hot(count, baseline, WEEKLY) is hot


def test_the_windows_end_at_the_check_and_the_baseline_precedes_the_window():
    span = windows(at("2026-11-20T00:00"), WEEKLY)

    assert span.window_start == at("2026-11-13T00:00")
    assert span.baseline_start == at("2026-09-18T00:00")


def test_a_category_can_have_thresholds_of_its_own():
    rules = AnalysisRules(version="t", categories={"safety.fire_exit_blocked": Thresholds(min_count=2)})

    assert rules.thresholds("safety.fire_exit_blocked").min_count == 2
    assert rules.thresholds("city_appearance.garbage_overflow").min_count == 3


def test_distances_are_metres_on_the_earth():
    assert distance_m(120.16, 33.35, 120.16, 33.351) == pytest.approx(111.2, abs=0.5)


def closed(lon: float, lat: float, when: str) -> ClosedNearby:
    return ClosedNearby(uuid4(), lon, lat, at(when))


def test_a_case_near_one_closed_within_the_days_repeats_it():
    earlier = closed(120.16, 33.35, "2026-11-01T00:00")

    found = recurrence_of(120.1605, 33.3502, at("2026-11-20T00:00"), [earlier], RULES)

    assert found is not None
    assert found[0] == earlier
    assert found[1] < 100


@pytest.mark.parametrize(
    ("lon", "when"),
    [
        (120.17, "2026-11-01T00:00"),  # about 930 m away
        (120.16, "2026-10-01T00:00"),  # closed 50 days before
        (120.16, "2026-11-25T00:00"),  # closed after this one was opened
    ],
)
def test_far_away_long_ago_or_later_is_no_recurrence(lon, when):
    assert recurrence_of(120.16, 33.35, at("2026-11-20T00:00"), [closed(lon, 33.35, when)], RULES) is None


def test_the_nearest_closed_case_is_the_one_repeated():
    far, near = closed(120.1608, 33.35, "2026-11-10T00:00"), closed(120.1601, 33.35, "2026-11-02T00:00")

    found = recurrence_of(120.16, 33.35, at("2026-11-20T00:00"), [far, near], RULES)

    assert found is not None
    assert found[0] == near


def test_the_sample_citys_thresholds_load():
    rules = load_analysis(REPO_ROOT / "city" / "analysis.yaml")

    assert rules.hotspot.window_days == 7
    assert rules.recurrence_window() == timedelta(days=30)


def a_place(**overrides: object) -> Place:
    fields: dict[str, Any] = {
        "case_id": uuid4(),
        "category": "city_appearance.garbage_overflow",
        "grid_id": "g-01",
        "community_id": "c-01",
        "street_id": "s-01",
        "district_id": "d-01",
        "lon": 120.16,
        "lat": 33.35,
        "opened_at": at("2026-11-20T00:00"),
    }
    return Place(**(fields | overrides))


def test_a_check_looks_for_its_anchor_up_to_a_window_after_the_opening():
    assert anchor_reach(at("2026-11-20T00:00"), WEEKLY) == (at("2026-11-20T00:00"), at("2026-11-27T00:00"))


def test_a_spell_counts_its_window_and_the_baseline_before_it():
    span = windows(at("2026-11-20T00:00"), WEEKLY)
    inside, edge, before = uuid4(), uuid4(), uuid4()
    openings = [
        (before, at("2026-10-01T00:00")),
        (edge, at("2026-11-13T00:00")),
        (inside, at("2026-11-19T00:00")),
    ]

    spell = spell_of(span, openings)

    assert (spell.case_ids, spell.baseline_count) == ((inside,), 2)  # the window's start is the baseline's
    assert spell.guard == (at("2026-11-13T00:00"), at("2026-11-27T00:00"))


def test_a_hot_spell_raises_an_alert_with_its_figures_and_a_quiet_one_none():
    span = windows(at("2026-11-20T00:00"), WEEKLY)
    three = [(uuid4(), at(f"2026-11-{day}T00:00")) for day in (18, 19, 20)]

    alert = hotspot_alert(a_place(), spell_of(span, three), WEEKLY)

    assert alert is not None
    assert (alert.count, alert.baseline_count, alert.expected, alert.ratio) == (3, 0, "0.00", "2.00")
    assert (alert.window_start, alert.window_end, alert.community_id) == (span.window_start, span.now, "c-01")
    assert hotspot_alert(a_place(), spell_of(span, three[1:]), WEEKLY) is None


def test_a_case_placed_only_by_its_address_repeats_nothing():
    earlier = closed(120.16, 33.35, "2026-11-10T00:00")
    assert repeats(a_place(), [earlier], RULES) is not None
    assert repeats(a_place(lon=None, lat=None), [earlier], RULES) is None


def test_a_recurrence_alert_names_both_cases_and_the_distance_to_a_decimetre():
    earlier = closed(120.16, 33.35, "2026-11-10T00:00")
    place = a_place()

    alert = recurrence_alert(place, earlier, 12.345)

    assert (alert.case_id, alert.earlier_case_id, alert.earlier_closed_at, alert.distance_m) == (
        place.case_id,
        earlier.case_id,
        earlier.closed_at,
        12.3,
    )
