"""Reports go in at intake and come out as assessment results, with exact numbers.

Four reports in one grid: one closed on time, one reworked and closed late, one closed on time, and one
left open past its deadline. The grid is due to close 4, closed 3, closed on time 2: closure rate
75.00 %, on-time closure rate 50.00 %; each worker's figures follow from who was assigned what.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaConsumer

from shared.city import City
from shared.events import decode
from shared.events.assessments import AssessmentUpdated
from shared.topics import ASSESSMENTS
from tests.e2e.conftest import CATEGORY
from tools.client import LoopClient, case_id_of, report_body
from tools.token import mint_token

GRID = "g-tinghu-wenfeng-01"


def token(city: City, person_id: str) -> str:
    return mint_token(city.person(person_id))


def period_of(moment: str, city: City) -> str:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(city.timezone)).strftime("%Y-%m")


async def wait_until_past(moment: str) -> None:
    remaining = (datetime.fromisoformat(moment) - datetime.now(UTC)).total_seconds()
    await asyncio.sleep(max(0.0, remaining) + 0.5)


async def assessment_settled(
    loop: LoopClient, subject_type: str, subject_id: str, period: str, expected: dict[str, int]
) -> dict[str, Any]:
    """Scoring is eventually consistent: poll until the counters arrive, then compare exactly."""
    result: dict[str, Any] | None = None
    for _ in range(150):
        result = await loop.assessment(subject_type, subject_id, period, token=mint_token("sv-yancheng"))
        if result is not None and {k: result["counters"][k] for k in expected} == expected:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError(f"{subject_type} {subject_id} {period}: expected {expected}, last seen {result}")


async def test_reports_travel_the_whole_loop_to_exact_assessment_results(
    loop: LoopClient, city: City
) -> None:
    operator = token(city, "op-tinghu")
    chief = city.chief_of(GRID)
    point = city.grid(GRID).polygon.representative_point()

    # Collect: four residents report in the same grid.
    case_ids = []
    for n in range(4):
        body = report_body(category=CATEGORY.code, lon=point.x, lat=point.y, reporter_id=f"resident-e2e-{n}")
        response = await loop.submit(body, api_key="dev-key-resident-app")
        assert response.status_code == 202, response.text
        case_ids.append(case_id_of(body["report_id"]))

    # Triage and assignment: each becomes a case assigned to one of the grid's workers, verified by its chief.
    cases = [await loop.wait_case(case_id, token=operator) for case_id in case_ids]
    workers = {w.person_id for w in city.workers_of(GRID)}
    for case in cases:
        assert case["grid_id"] == GRID
        assert case["assignee_id"] in workers
        assert case["verifier_id"] == chief.person_id
    on_time_a, late_b, on_time_c, left_open_d = cases
    chief_token = token(city, chief.person_id)

    async def handle(case: dict[str, Any]) -> None:
        worker_token = token(city, case["assignee_id"])
        await loop.act(case["id"], "accept", token=worker_token)
        await loop.act(case["id"], "resolve", token=worker_token, note="cleared", evidence=[])

    # Tiered handling, verification and closing.
    for case in (on_time_a, late_b, on_time_c):
        await handle(case)
    await loop.act(left_open_d["id"], "accept", token=token(city, left_open_d["assignee_id"]))
    # B fails verification once: rework, then resolved again.
    await loop.act(late_b["id"], "verify", token=chief_token, passed=False, note="bin still overflowing")
    await loop.act(
        late_b["id"], "resolve", token=token(city, late_b["assignee_id"]), note="emptied", evidence=[]
    )
    for case in (on_time_a, late_b, on_time_c):
        await loop.act(case["id"], "verify", token=chief_token, passed=True, note="checked on site")
    await loop.act(on_time_a["id"], "close", token=chief_token, note="done")
    await loop.act(on_time_c["id"], "close", token=chief_token, note="done")
    await wait_until_past(late_b["close_by"])
    closed_late = await loop.act(late_b["id"], "close", token=chief_token, note="done, late")
    assert closed_late["overdue"] is True
    await wait_until_past(left_open_d["close_by"])

    # Assessment: exact counters and rates per grid and per worker.
    expected: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for case, closed, on_time in (
        (on_time_a, True, True),
        (late_b, True, False),
        (on_time_c, True, True),
        (left_open_d, False, False),
    ):
        period = period_of(case["close_by"], city)
        for subject in (("grid", GRID), ("grid_worker", case["assignee_id"])):
            counts = expected[(*subject, period)]
            counts["due_to_close"] += 1
            counts["closed"] += closed
            counts["closed_on_time"] += on_time
    for (subject_type, subject_id, period), counts in expected.items():
        want = {k: counts[k] for k in ("due_to_close", "closed", "closed_on_time")}
        result = await assessment_settled(loop, subject_type, subject_id, period, want)
        assert set(result["cases"]["due_to_close"]) <= set(case_ids)
    grid_result = await assessment_settled(
        loop,
        "grid",
        GRID,
        period_of(on_time_a["close_by"], city),
        {"due_to_close": 4, "closed": 3, "closed_on_time": 2},
    )
    assert (grid_result["closure_rate"], grid_result["on_time_closure_rate"]) == ("75.00", "50.00")
    assert sorted(grid_result["cases"]["closed_on_time"]) == sorted([on_time_a["id"], on_time_c["id"]])

    # The same result went out on the assessments topic.
    published = await last_published_assessment("grid", GRID)
    counters = published.counters.model_dump()
    assert {k: counters[k] for k in ("due_to_close", "closed", "closed_on_time")} == {
        "due_to_close": 4,
        "closed": 3,
        "closed_on_time": 2,
    }
    assert published.on_time_closure_rate == "50.00"

    # The rework is in B's timeline, between its two resolutions.
    timeline = await loop.http.get(
        f"{loop.endpoints.handling}/v1/cases/{late_b['id']}/timeline",
        headers={"Authorization": f"Bearer {operator}"},
    )
    actions = [entry["action"] for entry in timeline.json()["entries"]]
    assert actions.count("resolve") == 2
    assert actions.count("fail_verification") == 1


async def last_published_assessment(subject_type: str, subject_id: str) -> AssessmentUpdated:
    consumer = AIOKafkaConsumer(
        ASSESSMENTS.name,
        bootstrap_servers=os.environ["GRIDLOOP_TEST_KAFKA"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        latest: AssessmentUpdated | None = None
        idle = 0
        while idle < 5:  # read to the end: five empty polls in a row
            batch = await consumer.getmany(timeout_ms=200)
            idle = 0 if batch else idle + 1
            for messages in batch.values():
                for message in messages:
                    data = decode(message.headers, message.value).data
                    assert isinstance(data, AssessmentUpdated)
                    if (data.subject_type, data.subject_id, data.period_kind) == (
                        subject_type,
                        subject_id,
                        "month",
                    ):
                        latest = data
        assert latest is not None, f"no assessment of {subject_type} {subject_id} was published"
        return latest
    finally:
        await consumer.stop()
