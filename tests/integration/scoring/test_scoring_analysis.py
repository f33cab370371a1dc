"""Analysis through the real broker and database: a category spiking in a grid raises one hotspot alert, a
problem back near a recently closed case raises a recurrence alert, and the trend API counts both."""

from __future__ import annotations

from shared.events.analysis import HotspotDetected, RecurrenceDetected
from shared.topics import ALERTS
from tests.builders import at
from tests.integration.scoring.cases import CaseStory
from tests.integration.scoring.conftest import CaseEventProducer, RunningScoring, until_equal
from tools.tail import TopicTail

RUBBISH, NOISE = "city_appearance.garbage_overflow", "dispute.neighbour_noise"


def story(grid: str, category: str, close_by: str) -> CaseStory:
    """A case of ``category`` opened five days before ``close_by`` (the story's clock)."""
    case = CaseStory(grid, at(close_by)).opened()
    step, opened = case.events[0]
    case.events[0] = (step, opened.model_copy(update={"category": category}))
    return case


async def test_a_spike_raises_one_hotspot_and_a_return_raises_a_recurrence(
    scoring: RunningScoring, case_events: CaseEventProducer, kafka_bootstrap: str, unique: str
) -> None:
    grid, worker = f"g-hot-{unique}", f"w-hot-{unique}"
    # Four rubbish cases on 10–13 November in a grid that had none: hot at the third, one alert in all.
    spike = [story(grid, RUBBISH, f"2026-11-{day}T09:00").assigned(worker) for day in (15, 16, 17, 18)]
    # Noise closed on 6 November, and noise again at the same place on 20 November.
    first_noise = (
        story(grid, NOISE, "2026-11-10T09:00").assigned(worker).handled_and_closed(at("2026-11-06T02:00"))
    )
    noise_again = story(grid, NOISE, "2026-11-25T09:00").assigned(worker)
    tail = TopicTail(kafka_bootstrap, ALERTS.name)
    await tail.start()
    try:
        for case in [*spike, first_noise, noise_again]:
            for step, event in case.events:
                await case_events.send(event, step)
        alerts = await tail.collect(lambda e: getattr(e.data, "grid_id", None) == grid, 3, within=30)
    finally:
        await tail.stop()

    hotspots = [e.data for e in alerts if isinstance(e.data, HotspotDetected)]
    recurrences = [e.data for e in alerts if isinstance(e.data, RecurrenceDetected)]
    assert [(h.category, h.count, h.baseline_count, h.expected) for h in hotspots] == [
        (RUBBISH, 3, 0, "0.00")
    ]
    assert set(hotspots[0].case_ids) <= {case.case_id for case in spike}
    assert [(r.case_id, r.earlier_case_id, r.distance_m) for r in recurrences] == [
        (noise_again.case_id, first_noise.case_id, 0.0)
    ]

    async def trend(category: str) -> list[tuple[str, int, int, int]]:
        params = {"kind": "month", "category": category, "unit_type": "grid", "unit_id": grid}
        body = (await scoring.http.get("/v1/trends", params=params)).json()
        return [(i["period"], i["opened"], i["recurring"], i["closed"]) for i in body["items"]]

    await until_equal(lambda: trend(NOISE), [("2026-11", 2, 1, 1)], what="the noise trend in the grid")
    assert await trend(RUBBISH) == [("2026-11", 4, 0, 0)]

    # The alerts as the console's map reads them: the grid's hotspot and its recurring case, newest first.
    listed = (await scoring.http.get("/v1/alerts", params={"grid_id": grid})).json()["items"]
    assert [(a["kind"], a["category"], a["case_id"], a["repeats"]) for a in listed] == [
        ("recurrence", NOISE, str(noise_again.case_id), str(first_noise.case_id)),
        ("hotspot", RUBBISH, None, None),
    ]
    assert listed[0]["lon"] is not None
    later = {"grid_id": grid, "since": listed[0]["raised_at"]}
    assert [a["kind"] for a in (await scoring.http.get("/v1/alerts", params=later)).json()["items"]] == [
        "recurrence"
    ]
    quarter = (
        await scoring.http.get("/v1/trends", params={"kind": "quarter", "unit_type": "grid", "unit_id": grid})
    ).json()
    assert [(i["period"], i["opened"]) for i in quarter["items"]] == [("2026-Q4", 6)]


async def test_a_case_without_a_point_counts_in_its_communitys_trend_and_is_never_compared(
    scoring: RunningScoring, case_events: CaseEventProducer, unique: str
) -> None:
    community, worker = f"c-addr-{unique}", f"w-addr-{unique}"

    def address_only(close_by: str) -> CaseStory:
        # A report that gave only an address: placed in its community by the gazetteer, no grid, no point.
        case = CaseStory(None, at(close_by)).opened()
        step, opened = case.events[0]
        update = {"category": NOISE, "location": None, "community_id": community}
        case.events[0] = (step, opened.model_copy(update=update))
        return case

    # The same problem at the same address after the first was closed: no point, so no recurrence.
    first = address_only("2026-11-10T09:00").assigned(worker).handled_and_closed(at("2026-11-06T02:00"))
    again = address_only("2026-11-25T09:00").assigned(worker)
    for case in (first, again):
        for step, event in case.events:
            await case_events.send(event, step)

    async def trend() -> list[tuple[str, int, int, int]]:
        params = {"kind": "month", "category": NOISE, "unit_type": "community", "unit_id": community}
        body = (await scoring.http.get("/v1/trends", params=params)).json()
        return [(i["period"], i["opened"], i["recurring"], i["closed"]) for i in body["items"]]

    await until_equal(trend, [("2026-11", 2, 0, 1)], what="the noise trend in the community")
