"""People take steps on a case over HTTP: each changes its state, appends to its timeline, and
publishes its event on the case-events topic exactly once."""

from __future__ import annotations

import uuid

from services.handling.domain import Actor, open_case
from services.handling.repository import CaseRepository
from shared.events import Envelope
from shared.events.cases import (
    CaseAccepted,
    CaseClosed,
    CaseResolved,
    CaseVerificationFailed,
    CaseVerified,
)
from shared.topics import CASE_EVENTS

HANDLING_SOURCE = "/gridloop/handling"
PHOTO = "https://img.example/after.jpg"


async def test_a_case_goes_from_assigned_through_rework_to_closed_and_every_step_is_published_once(
    handling, dispatch, crew, tail
):
    case_id = await dispatch.open_and_assign(crew, handling)
    topic = await tail(handling.topic(CASE_EVENTS))
    worker, chief = crew.assignee.headers(), crew.verifier.headers()
    steps = [
        ("accept", worker, {"note": "on my way"}, "accepted"),
        ("resolve", worker, {"note": "cleared", "evidence": [PHOTO]}, "resolved"),
        ("verify", chief, {"passed": False, "note": "a pile is left behind the wall"}, "accepted"),
        ("resolve", worker, {"note": "cleared the rest", "evidence": [PHOTO]}, "resolved"),
        ("verify", chief, {"passed": True, "note": "checked on site"}, "verified"),
        ("close", chief, {"note": "done"}, "closed"),
    ]
    for action, headers, body, state in steps:
        response = await handling.http.post(f"/v1/cases/{case_id}/{action}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == state

    timeline = (await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=worker)).json()["entries"]
    assert [e["action"] for e in timeline] == [
        "open",
        "assign",
        "accept",
        "resolve",
        "fail_verification",
        "resolve",
        "pass_verification",
        "close",
    ]
    assert [e["seq"] for e in timeline] == list(range(1, 9))
    assert timeline[3]["evidence"] == [PHOTO]

    def ours(envelope: Envelope) -> bool:
        return envelope.source == HANDLING_SOURCE and getattr(envelope.data, "case_id", None) == case_id

    published = await topic.collect(ours, count=6, within=15)
    assert await topic.collect(ours, count=1, within=2) == [], "an event was published twice"
    assert [type(e.data) for e in published] == [
        CaseAccepted,
        CaseResolved,
        CaseVerificationFailed,
        CaseResolved,
        CaseVerified,
        CaseClosed,
    ]
    assert [e.id for e in published] == [e["event_id"] for e in timeline[2:]]
    assert {e.data.holder_id for e in published} == {crew.assignee.person_id}
    assert [e.data.actor_id for e in published] == [crew.assignee.person_id] * 2 + [
        crew.verifier.person_id
    ] + [crew.assignee.person_id] + [crew.verifier.person_id] * 2
    first_resolution, rework = published[1], published[2]
    assert first_resolution.data.evidence == (PHOTO,)
    assert rework.data.rework_of == first_resolution.id
    assert rework.data.note == "a pile is left behind the wall"
    assert published[-1].data.actor_role == crew.verifier.role


async def test_steps_and_gauges_show_in_metrics(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    taken = await handling.metric("gridloop_handling_case_steps_total", action="accept", outcome="taken")
    response = await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.assignee.headers())
    assert response.status_code == 200
    assert await handling.metric("gridloop_handling_case_steps_total", action="accept", outcome="taken") == (
        taken + 1
    )

    async def accepted_counted() -> bool:
        return bool(await handling.metric("gridloop_handling_open_cases", state="accepted") >= 1)

    await handling.wait_for(accepted_counted, what="the open-cases gauge to count the accepted case")
    text = (await handling.http.get("/metrics")).text
    assert "gridloop_handling_overdue_cases " in text


async def test_the_case_list_filters_and_pages_through_what_the_caller_may_see(handling, dispatch, crew):
    case_ids = {await dispatch.open_and_assign(crew, handling) for _ in range(3)}
    operator = crew.operator.headers()

    seen: list[str] = []
    cursor = None
    while True:
        params = {"assignee_id": crew.assignee.person_id, "state": "assigned", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await handling.http.get("/v1/cases", params=params, headers=operator)).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert set(seen) == {str(case_id) for case_id in case_ids}
    assert len(seen) == len(set(seen))

    stranger = (await handling.http.get("/v1/cases", headers=crew.stranger.headers())).json()
    assert not {item["id"] for item in stranger["items"]} & set(seen)


async def test_a_page_never_holds_more_than_200_cases(handling, dispatch, crew):
    opened, _ = dispatch.events(crew)
    async with handling.pool.acquire() as conn:
        for _ in range(201):
            event = opened.model_copy(update={"case_id": uuid.uuid4()})
            case = open_case(
                event, event_id=uuid.uuid4(), actor=Actor(id="test", role="system"), now=event.occurred_at
            )
            await CaseRepository(conn, handling.schema).add(case)
    first = (
        await handling.http.get("/v1/cases", params={"limit": 5000}, headers=crew.operator.headers())
    ).json()
    assert len(first["items"]) == 200
    rest = await handling.http.get(
        "/v1/cases", params={"limit": 5000, "cursor": first["next_cursor"]}, headers=crew.operator.headers()
    )
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_cursor"] is None


async def test_a_case_shows_time_left_to_its_close_by_deadline(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    case = (await handling.http.get(f"/v1/cases/{case_id}", headers=crew.assignee.headers())).json()
    assert 3 * 86400 - 120 < case["time_left_seconds"] <= 3 * 86400
    assert case["overdue"] is False
