"""A period closes some days after it ends: its results are copied as final, published once more marked
final, and stay as they were when late events still move the live figures."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.events.assessments import AssessmentUpdated
from shared.topics import ASSESSMENTS
from tests.builders import at
from tests.integration.scoring.cases import CaseStory
from tests.integration.scoring.conftest import CaseEventProducer, RunningScoring, until_equal
from tools.tail import TopicTail

# October 2026 ends at 16:00 UTC on 31 October (midnight in Shanghai); with 5 days' grace it closes on
# 5 November. November has not ended by then.
AFTER_OCTOBER_CLOSES = datetime(2026, 11, 6, tzinfo=UTC)


async def send(case_events: CaseEventProducer, *stories: CaseStory) -> None:
    for story in stories:
        for step, event in story.events:
            await case_events.send(event, step)


async def test_a_closed_period_publishes_final_results_that_late_events_do_not_move(
    scoring: RunningScoring, case_events: CaseEventProducer, kafka_bootstrap: str, unique: str
) -> None:
    worker, grid = f"w-close-{unique}", f"g-close-{unique}"
    closer = scoring.app.state.closer
    await send(
        case_events,
        CaseStory(grid, at("2026-10-20T09:00"))
        .opened()
        .assigned(worker)
        .handled_and_closed(at("2026-10-15T02:00")),
        CaseStory(grid, at("2026-10-22T09:00")).opened().assigned(worker).accepted(),
    )

    async def october(final: bool = False) -> tuple[int, int] | None:
        response = await scoring.http.get(
            "/v1/rankings", params={"level": "grid", "period": "2026-10", "final": str(final).lower()}
        )
        if response.status_code != 200:
            return None
        found = [i["counters"] for i in response.json()["items"] if i["subject_id"] == grid]
        return (found[0]["due_to_close"], found[0]["closed"]) if found else None

    await until_equal(october, (2, 1), what="October's live results")
    assert (
        await scoring.http.get("/v1/rankings", params={"level": "grid", "period": "2026-10", "final": "true"})
    ).json()["error"]["code"] == "period_open"
    tail = TopicTail(kafka_bootstrap, ASSESSMENTS.name)
    await tail.start()
    try:
        assert await closer.once(AFTER_OCTOBER_CLOSES) == ["2026-10"]
        finals = await tail.collect(
            lambda e: (
                isinstance(e.data, AssessmentUpdated) and e.data.final and e.data.subject_id in (grid, worker)
            ),
            2,
        )
    finally:
        await tail.stop()

    assert sorted((e.data.subject_type, e.data.period, e.data.counters.closed) for e in finals) == [  # type: ignore[attr-defined]
        ("grid", "2026-10", 1),
        ("grid_worker", "2026-10", 1),
    ]
    assert await october(final=True) == (2, 1)
    periods = (await scoring.http.get("/v1/periods", params={"kind": "month"})).json()
    assert "2026-10" in periods["closed"]
    assert "2026-11" not in periods["closed"]
    assert await closer.once(AFTER_OCTOBER_CLOSES) == []  # once only

    # A late arrival about October moves the live figures; the final ones stay.
    await send(
        case_events,
        CaseStory(grid, at("2026-10-25T09:00"))
        .opened()
        .assigned(worker)
        .handled_and_closed(at("2026-10-24T02:00")),
    )
    await until_equal(october, (3, 2), what="October's live results to take the late case")
    assert await october(final=True) == (2, 1)
    bulletin = await scoring.http.get("/v1/bulletins/2026-10.csv", params={"level": "grid", "final": "true"})
    assert bulletin.status_code == 200
    assert grid in bulletin.text
