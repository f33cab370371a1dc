"""Reporter credit through the real broker and database: riders' reports that opened a case, joined one
as duplicates (one merge delivered twice) or were voided; the vanguard ranking and the volunteer hours a
closed service task credits to the grid worker who handled it."""

from __future__ import annotations

from tests.builders import at
from tests.integration.scoring.cases import CaseStory
from tests.integration.scoring.conftest import CaseEventProducer, RunningScoring, until_equal
from tests.unit.scoring.builders import merged, voided


async def test_riders_are_credited_for_valid_reports_and_workers_for_service_hours(
    scoring: RunningScoring, case_events: CaseEventProducer, unique: str
) -> None:
    rider, other, worker = f"rider-{unique}", f"rider2-{unique}", f"w-credit-{unique}"
    grid = f"g-credit-{unique}"
    # A rider's report opens a rubbish case; the same rider's second report and another rider's join it.
    rubbish = CaseStory(grid, at("2026-11-20T09:00")).opened()
    step, first = rubbish.events[0]
    rubbish.events[0] = (
        step,
        first.model_copy(update={"source_type": "delivery_rider", "reporter_id": rider}),
    )
    rubbish.assigned(worker)
    # An elderly resident's call for help (a service task worth 2 hours), handled by the worker, closed.
    help_call = CaseStory(grid, at("2026-11-21T09:00")).opened()
    step, first = help_call.events[0]
    help_call.events[0] = (step, first.model_copy(update={"category": "people.elderly_alone_help"}))
    help_call.assigned(worker).handled_and_closed(at("2026-11-18T02:00"))

    for story in (rubbish, help_call):
        for step, event in story.events:
            await case_events.send(event, step)
    merge = merged(reporter_id=rider, at_="2026-11-16T03:00", case_id=rubbish.case_id)
    await case_events.send(merge, "merge-1")
    await case_events.send(merge, "merge-1")  # redelivered: one credit
    await case_events.send(
        merged(reporter_id=other, at_="2026-11-16T04:00", case_id=rubbish.case_id), "merge-2"
    )
    await case_events.send(voided(reporter_id=other, at_="2026-11-16T05:00"), "void-1")

    async def vanguard() -> list[tuple[int, str, int, int, str]]:
        body = (await scoring.http.get("/v1/vanguard", params={"period": "2026-11"})).json()
        return [
            (i["rank"], i["reporter_id"], i["reports"], i["valid_reports"], i["vanguard_index"])
            for i in body["items"]
            if i["reporter_id"] in (rider, other)
        ]

    await until_equal(
        vanguard,
        [(1, rider, 2, 2, "4.00"), (2, other, 2, 1, "2.00")],
        what="the riders' vanguard ranking",
    )

    async def served() -> tuple[str, bool, str] | None:
        body = (await scoring.http.get("/v1/volunteer-hours", params={"year": "2026"})).json()
        found = [i for i in body["items"] if i["person_id"] == worker]
        return (found[0]["service_hours"], found[0]["met"], found[0]["shortfall_hours"]) if found else None

    await until_equal(served, ("2.00", False, "22.00"), what="the worker's volunteer hours")
    detail = (
        await scoring.http.get(
            f"/v1/assessments/reporter/delivery_rider:{other}", params={"period": "2026-11"}
        )
    ).json()
    rate = next(i for i in detail["indicators"] if i["name"] == "valid_report_rate")
    assert (detail["counters"]["reports"], rate["value"], detail["score"]) == (2, "50.00", None)
    listed = (await scoring.http.get("/v1/volunteer-hours", params={"year": "2026"})).json()["items"]
    assert any(i["person_id"] == "w-tinghu-wenfeng-01" and i["service_hours"] == "0.00" for i in listed)
    assert (await scoring.http.get("/v1/volunteer-hours", params={"year": "2026-11"})).status_code == 422
