"""The triage rules of city/triage.yaml: priority raised by reporter type, the hotline's urgent flag and
words; out-of-scope categories and spam voided with a reason; bad rule files refused naming the record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from services.dispatch.config import TriageRulesError, load_triage, parse_triage
from services.dispatch.domain import case_id_for
from services.dispatch.domain.outcomes import Opened, Voided
from services.dispatch.domain.rules import effective_priority
from services.dispatch.handlers import handle_report_submitted
from shared.events import Event, decode, encode
from shared.events.cases import CaseOpened
from tests.unit.dispatch.conftest import CITY, RULES, SUBMITTED_AT, city_with, fresh_triage, make_report

GARBAGE = CITY.category("city_appearance.garbage_overflow")  # normal, P1D


def test_a_sensor_alarm_is_urgent_whatever_its_category() -> None:
    assert effective_priority(make_report(source_type="sensor"), GARBAGE, RULES.priority) == "urgent"


def test_the_hotlines_urgent_flag_raises_priority_but_a_residents_flag_alone_does_not() -> None:
    hotline = make_report(source_type="hotline_12345", urgent=True)
    resident = make_report(source_type="resident", urgent=True)

    assert effective_priority(hotline, GARBAGE, RULES.priority) == "urgent"
    assert effective_priority(resident, GARBAGE, RULES.priority) == "normal"


def test_words_raise_priority_only_in_the_categories_the_rule_names() -> None:
    lights = CITY.category("public_facility.streetlight_out")
    sparks = "The streetlight box is giving off SMOKE"

    assert effective_priority(make_report(description=sparks), lights, RULES.priority) == "urgent"
    assert effective_priority(make_report(description=sparks), GARBAGE, RULES.priority) == "normal"


def test_a_raised_priority_is_on_the_opened_case() -> None:
    report = make_report(source_type="sensor")
    dispatched = handle_report_submitted(
        decode(*_wire(report)), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
    )
    assert isinstance(dispatched.opened, CaseOpened)
    assert dispatched.opened.priority == "urgent"


def test_an_inactive_category_is_voided_not_opened() -> None:
    retired = GARBAGE.model_copy(update={"active": False})

    outcome, _ = fresh_triage().decide(make_report(), retired, case_id_for(make_report().report_id))

    assert outcome == Voided(
        "category_inactive", "'city_appearance.garbage_overflow' is no longer handled by the city"
    )


def test_blocked_words_void_a_report() -> None:
    report = make_report(description="加微信领红包，点击链接")

    outcome, _ = fresh_triage().decide(report, GARBAGE, case_id_for(report.report_id))

    assert isinstance(outcome, Voided)
    assert outcome.reason == "blocked_words"


def test_a_reporter_over_the_hourly_limit_is_voided_until_the_hour_passes() -> None:
    triage = fresh_triage()
    limit = RULES.voiding.spam.max_reports_per_reporter_per_hour
    assert limit is not None

    def send(minutes: float, **fields):
        # Each report far from the others, so none merges.
        report = make_report(
            submitted_at=SUBMITTED_AT + timedelta(minutes=minutes), description=f"bins {minutes}", **fields
        )
        point = report.location
        assert point is not None
        moved = point.model_copy(update={"lat": point.lat + minutes / 100})
        report = report.model_copy(update={"location": moved})
        return triage.decide(report, GARBAGE, case_id_for(report.report_id))[0]

    within_the_hour = [send(i) for i in range(limit + 1)]
    an_hour_later = send(limit + 61)

    assert all(isinstance(o, Opened) for o in within_the_hour[:limit])
    assert isinstance(within_the_hour[limit], Voided)
    assert within_the_hour[limit].reason == "too_many_reports"
    assert isinstance(an_hour_later, Opened)


def test_exempt_reporters_are_never_over_the_limit() -> None:
    triage = fresh_triage()
    limit = RULES.voiding.spam.max_reports_per_reporter_per_hour or 0
    outcomes = []
    for i in range(limit + 5):
        report = make_report(source_type="grid_worker", category="public_facility.road_damage")
        point = report.location
        assert point is not None
        report = report.model_copy(update={"location": point.model_copy(update={"lat": point.lat + i / 100})})
        outcomes.append(
            triage.decide(report, CITY.category(report.category), case_id_for(report.report_id))[0]
        )
    assert not any(isinstance(o, Voided) for o in outcomes)


def test_the_sample_rules_file_loads() -> None:
    rule = RULES.merge.for_category("city_appearance.abandoned_vehicle")
    assert rule is not None
    assert (rule.radius_m, rule.window) == (30, "P7D")
    garbage = RULES.merge.for_category("city_appearance.garbage_overflow")
    assert garbage is not None
    assert garbage.radius_m == 100  # the group's
    assert RULES.merge.for_category("dispute.neighbour_noise") is None  # the default: never


def test_a_rule_for_an_unknown_category_is_refused_naming_it() -> None:
    with pytest.raises(TriageRulesError, match=r"t\.yaml: merge rule 'no_such\.thing': names no category"):
        parse_triage(
            {"merge": {"rules": {"no_such.thing": {"radius_m": 10, "window": "PT1H"}}}}, CITY, file="t.yaml"
        )


def test_bad_values_are_refused_each_naming_its_record() -> None:
    document = {
        "merge": {"rules": {"city_appearance": {"radius_m": -1, "window": "soon"}}},
        "priority": {"raise_to_urgent": [{"name": "x", "source_types": ["pigeon"]}]},
    }
    with pytest.raises(TriageRulesError) as refused:
        parse_triage(document, CITY, file="t.yaml")
    message = str(refused.value)
    assert "t.yaml: merge.rules.city_appearance.MergeRule.radius_m" in message
    assert "merge.rules.city_appearance.MergeRule.window" in message
    assert "priority.raise_to_urgent.0.source_types.0" in message


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(TriageRulesError, match=r"triage\.yaml: file: cannot be read"):
        load_triage(tmp_path / "triage.yaml", CITY)


def test_rules_naming_a_category_the_city_dropped_are_refused() -> None:
    smaller = city_with(category_groups=tuple(g for g in CITY.category_groups if g.group_id != "environment"))
    with pytest.raises(TriageRulesError, match="merge rule 'environment'"):
        load_triage(Path(__file__).parents[3] / "city" / "triage.yaml", smaller)


def _wire(event: Event) -> tuple[list[tuple[str, bytes]], bytes]:
    record = encode(event, source="/gridloop/intake")
    return record.headers, record.value
