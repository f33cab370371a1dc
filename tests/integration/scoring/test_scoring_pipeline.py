"""A month and a half of cases for two grid workers in two grids, through the real broker and database.

Every event is delivered twice, a garbage message and an event about a case never opened sit among them,
and the counters, rates, drill-down lists and published assessment updates must come out exact.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

from shared.events.assessments import AssessmentUpdated
from shared.events.dead_letters import DeadLetterRecorded
from shared.topics import ASSESSMENTS
from tests.integration.scoring.conftest import CaseEventProducer, RunningScoring, until
from tests.integration.scoring.pipeline_story import Scenario, api_results, latest_updates, played, send_twice
from tools.tail import TopicTail


@pytest.fixture(scope="module")
async def scenario(
    scoring: RunningScoring,
    case_events: CaseEventProducer,
    kafka_bootstrap: str,
    unique: str,
    case_topic: str,
) -> AsyncIterator[Scenario]:
    async with played(scoring, case_events, kafka_bootstrap, unique, case_topic) as played_scenario:
        yield played_scenario


async def test_each_subjects_counters_and_rates_are_exact(scenario: Scenario, scoring: RunningScoring):
    assert await api_results(scoring, list(scenario.expected)) == scenario.expected


async def test_the_last_published_update_of_each_subject_and_month_matches_the_api(scenario: Scenario):
    assert latest_updates(scenario.assessments) == scenario.expected


async def test_published_updates_are_keyed_by_subject_and_carry_the_rubric_version(scenario: Scenario):
    for envelope in scenario.assessments:
        update = envelope.data
        assert isinstance(update, AssessmentUpdated)
        assert update.rubric_version == "yancheng-2026.2"
        assert envelope.source == "/gridloop/scoring"
        assert envelope.type == "gridloop.assessment.updated.v1"


async def test_a_case_outside_every_grid_held_by_a_community_officer_counts_for_no_one(
    scenario: Scenario, scoring: RunningScoring
):
    response = await scoring.http.get(
        f"/v1/assessments/grid_worker/{scenario.cast.officer}", params={"period": "2026-11"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not [e for e in scenario.assessments if e.data.subject_id == scenario.cast.officer]  # type: ignore[attr-defined]


async def test_drill_down_lists_the_cases_behind_every_counter(scenario: Scenario, scoring: RunningScoring):
    stories = scenario.stories
    response = await scoring.http.get(
        f"/v1/assessments/grid_worker/{scenario.cast.li}", params={"period": "2026-11"}
    )
    body = response.json()

    def ids(*names: str) -> list[str]:
        return sorted(str(stories[name].case_id) for name in names)

    cases = {name: body["cases"][name] for name in ("due_to_close", "closed", "closed_on_time", "reworks")}
    assert cases == {
        "due_to_close": ids("c1", "c2", "c3", "c7"),
        "closed": ids("c1", "c2", "c7"),
        "closed_on_time": ids("c1", "c7"),
        "reworks": ids("c7"),
    }
    indicators = {i["name"]: i for i in body["indicators"]}
    assert indicators["closure_rate"] == {
        "name": "closure_rate",
        "name_zh": "结案率",
        "variant": "standard",
        "value": "75.00",
        "numerator": {"formula": "closed", "value": 3},
        "denominator": {"formula": "due_to_close", "value": 4},
    }
    assert indicators["on_time_closure_rate"]["value"] == "50.00"
    assert (indicators["rework_rate"]["value"], indicators["satisfaction_rate"]["value"]) == ("25.00", None)


async def test_the_ranking_puts_the_best_on_time_closure_rate_first(
    scenario: Scenario, scoring: RunningScoring
):
    response = await scoring.http.get(
        "/v1/assessments", params={"period": "2026-12", "subject_type": "grid_worker"}
    )
    body = response.json()
    assert response.status_code == 200
    assert [item["subject_id"] for item in body["items"]] == [scenario.cast.zhao, scenario.cast.li]
    assert [item["on_time_closure_rate"] for item in body["items"]] == ["66.67", "0.00"]
    assert (body["total"], body["limit"], body["offset"]) == (2, 100, 0)


async def test_rankings_put_the_best_composite_score_first_with_rank_score_and_grade(
    scenario: Scenario, scoring: RunningScoring
):
    response = await scoring.http.get("/v1/rankings", params={"level": "grid_worker", "period": "2026-12"})
    body = response.json()
    assert response.status_code == 200
    assert (body["level"], body["period"], body["rubric_version"]) == (
        "grid_worker",
        "2026-12",
        "yancheng-2026.2",
    )
    ranked = [(i["rank"], i["subject_id"], i["score"], i["grade"]) for i in body["items"]]
    # Zhao: closure 66.67 ×30 + 66.67 ×20, handling 33.33 ×20 + 33.33 ×10, no rework 100 ×10 → 5333.40 ÷ 90.
    # Li: c3 closed late in December: on time 0 ×30, closure 100 ×20, no rework 100 ×10 → 3000 ÷ 60.
    assert ranked == [(1, scenario.cast.zhao, "59.26", "fail"), (2, scenario.cast.li, "50.00", "fail")]


async def test_the_bulletin_csv_is_the_ranking_as_excel_opens_it(scenario: Scenario, scoring: RunningScoring):
    response = await scoring.http.get("/v1/bulletins/2026-12.csv", params={"level": "grid_worker"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("排名 Rank,编号 ID,名称 Name,应处置数 Due to handle,")
    assert [line.split(",")[:2] for line in lines[1:]] == [["1", scenario.cast.zhao], ["2", scenario.cast.li]]


async def test_quarters_count_a_case_due_in_november_and_closed_in_december_once(
    scenario: Scenario, scoring: RunningScoring
):
    response = await scoring.http.get(
        f"/v1/assessments/grid_worker/{scenario.cast.li}", params={"period": "2026-Q4"}
    )
    counters = response.json()["counters"]
    # c1, c2, c3, c7: November's 4 due plus December's 1 would be 5 if quarters were sums of months.
    assert (counters["due_to_close"], counters["closed"], counters["closed_on_time"]) == (4, 4, 2)


async def test_pages_are_capped_at_500_and_offset_pages_on(scenario: Scenario, scoring: RunningScoring):
    response = await scoring.http.get(
        "/v1/assessments", params={"period": "2026-11", "subject_type": "grid", "limit": 10_000, "offset": 1}
    )
    body = response.json()
    assert body["limit"] == 500
    assert [item["subject_id"] for item in body["items"]] == [scenario.cast.grid_b]


async def test_periods_with_data_are_listed_latest_first(scenario: Scenario, scoring: RunningScoring):
    assert (await scoring.http.get("/v1/periods")).json() == {"periods": ["2026-12", "2026-11"], "closed": []}
    assert (await scoring.http.get("/v1/periods?kind=quarter")).json() == {
        "periods": ["2026-Q4"],
        "closed": [],
    }


async def test_garbage_and_an_event_about_a_case_never_opened_go_to_dead_letters(
    scenario: Scenario, unique: str
):
    letters = [e.data for e in scenario.dead_letters]
    assert all(isinstance(letter, DeadLetterRecorded) for letter in letters)
    assert {letter.consumer for letter in letters} == {f"gridloop-scoring-test-{unique}"}  # type: ignore[attr-defined]
    errors = sorted(letter.error for letter in letters)  # type: ignore[attr-defined]
    assert "never opened" in errors[0] or "never opened" in errors[1]
    values = {base64.b64decode(letter.original_value_b64 or "") for letter in letters}  # type: ignore[attr-defined]
    assert b"{not a cloudevent" in values


async def test_every_redelivered_event_was_recognised_as_a_duplicate(
    scenario: Scenario, scoring: RunningScoring
):
    sent = sum(len(story.events) for story in scenario.stories.values())
    assert _consumed(scoring, "duplicate") == sent
    assert _consumed(scoring, "dead_lettered") == 2


async def test_replaying_the_whole_history_changes_nothing_and_publishes_nothing(
    scenario: Scenario, scoring: RunningScoring, case_events: CaseEventProducer, kafka_bootstrap: str
):
    ours = {scenario.cast.li, scenario.cast.zhao, scenario.cast.grid_a, scenario.cast.grid_b}
    tail = TopicTail(kafka_bootstrap, ASSESSMENTS.name)
    await tail.start()
    try:
        before = _consumed(scoring, "duplicate")
        events = [event for story in scenario.stories.values() for event in story.events]
        await send_twice(case_events, events)
        sent = len(events)
        await until(
            lambda: _async(_consumed(scoring, "duplicate") >= before + 2 * sent),
            within=60,
            what="the replay to be consumed",
        )
        assert await api_results(scoring, list(scenario.expected)) == scenario.expected
        republished = await tail.collect(lambda e: getattr(e.data, "subject_id", None) in ours, 1, within=3)
        assert republished == []
    finally:
        await tail.stop()


async def test_readiness_reports_database_consumer_and_kafka(scoring: RunningScoring):
    response = await scoring.http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "consumer": True, "kafka": True}


async def test_metrics_count_updated_results_by_subject_type(scenario: Scenario, scoring: RunningScoring):
    text = (await scoring.http.get("/metrics")).text
    assert 'gridloop_scoring_results_updated_total{subject_type="grid_worker"}' in text
    assert 'gridloop_scoring_results_updated_total{subject_type="grid"}' in text
    assert "gridloop_scoring_events_consumed_total" in text


def _consumed(scoring: RunningScoring, outcome: str) -> int:
    total = 0.0
    for metric in scoring.metrics.events_consumed.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels.get("outcome") == outcome:
                total += sample.value
    return int(total)


async def _async(value: bool) -> bool:
    return value
