"""Every tiered-handling action over HTTP against the real PostgreSQL and broker: each changes the case,
appends to its audit trail, and publishes its event once with what scoring needs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events import Envelope
from shared.events.cases import (
    CaseCallbackRecorded,
    CaseConsultationDecided,
    CaseConsultationStarted,
    CaseEscalated,
    CaseOpinionRecorded,
    CaseReassigned,
    CaseRequestDecided,
    CaseRequestMade,
    CaseStarted,
    CaseSupervised,
)
from shared.topics import CASE_EVENTS
from tests.integration.handling.conftest import CITY

HANDLING_SOURCE = "/gridloop/handling"
PHOTO = "https://img.example/site.jpg"


async def post(
    handling: Any, case_id: uuid.UUID, path: str, person: Any, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await handling.http.post(
        f"/v1/cases/{case_id}/{path}", json=body or {}, headers=person.headers()
    )
    assert response.status_code == 200, f"{path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


async def timeline(handling: Any, case_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=CITY["supervisor"].headers())
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


async def published(topic: Any, case_id: uuid.UUID, count: int) -> list[Any]:
    """What people's steps published about the case since ``topic`` (a tail) was opened: exactly
    ``count``. Supervision by timers is left out (a short deadline fires them; test_handling_timers)."""

    def ours(envelope: Envelope) -> bool:
        return (
            envelope.source == HANDLING_SOURCE
            and getattr(envelope.data, "case_id", None) == case_id
            and not isinstance(envelope.data, CaseSupervised)
        )

    events: list[Any] = await topic.collect(ours, count=count, within=20)
    assert await topic.collect(ours, count=1, within=1) == [], "an event was published twice"
    return events


async def test_an_extension_asked_by_the_worker_and_approved_by_the_chief_moves_the_deadline(
    handling, dispatch, city_crew, tail
):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    topic = await tail(handling.topic(CASE_EVENTS))
    worker, chief = CITY["worker"], CITY["chief"]
    await post(handling, case_id, "accept", worker)
    started = await post(handling, case_id, "start", worker)
    assert started["state"] == "in_progress"
    asked = await post(
        handling, case_id, "requests/extension", worker, {"note": "waiting for a part", "length": "P2D"}
    )
    assert asked["pending"]["kind"] == "extension"
    approved = await post(handling, case_id, "requests/extension/approve", chief, {"note": "fine"})
    assert approved["pending"] is None
    assert approved["extensions"] == 1
    moved = datetime.fromisoformat(approved["resolve_by"]) - datetime.fromisoformat(started["resolve_by"])
    assert moved > timedelta(0)

    entries = await timeline(handling, case_id)
    assert [e["action"] for e in entries[-3:]] == ["start", "request_extension", "approve_extension"]
    decision = entries[-1]
    assert (decision["actor_id"], decision["actor_role"], decision["from_state"], decision["to_state"]) == (
        chief.person_id,
        "grid_chief",
        "in_progress",
        "in_progress",
    )
    assert decision["details"]["requested_by"] == worker.person_id

    events = await published(topic, case_id, 4)
    assert [type(e.data) for e in events[1:]] == [CaseStarted, CaseRequestMade, CaseRequestDecided]
    made, decided = events[2].data, events[3].data
    assert (made.kind, made.length, made.note) == ("extension", "P2D", "waiting for a part")
    assert (decided.approved, decided.requested_by, decided.extensions, decided.holder_id) == (
        True,
        worker.person_id,
        1,
        worker.person_id,
    )
    assert decided.resolve_by == datetime.fromisoformat(approved["resolve_by"])


async def test_a_returned_case_is_dispatched_again_by_the_operator(handling, dispatch, city_crew, tail):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    topic = await tail(handling.topic(CASE_EVENTS))
    await post(handling, case_id, "requests/return", CITY["worker"], {"note": "this is the next grid's"})
    returned = await post(handling, case_id, "requests/return/approve", CITY["operator"])
    assert returned["state"] == "returned"
    again = await post(
        handling, case_id, "reassign", CITY["operator"], {"assignee_id": CITY["other_worker"].person_id}
    )
    assert (again["state"], again["assignee_id"]) == ("assigned", CITY["other_worker"].person_id)
    events = await published(topic, case_id, 3)
    reassigned = events[-1].data
    assert isinstance(reassigned, CaseReassigned)
    assert (reassigned.previous_holder_id, reassigned.holder_id) == (
        CITY["worker"].person_id,
        CITY["other_worker"].person_id,
    )
    assert events[1].data.requested_by == CITY["worker"].person_id


async def test_a_void_and_a_rejected_deferral_are_decided_by_the_operator(handling, dispatch, city_crew):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    await post(handling, case_id, "accept", CITY["worker"])
    until = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    await post(
        handling, case_id, "requests/deferral", CITY["worker"], {"note": "needs a budget", "until": until}
    )
    rejected = await post(
        handling, case_id, "requests/deferral/reject", CITY["operator"], {"note": "do it now"}
    )
    assert (rejected["state"], rejected["pending"]) == ("accepted", None)
    await post(handling, case_id, "requests/void", CITY["worker"], {"note": "a prank"})
    voided = await post(handling, case_id, "requests/void/approve", CITY["supervisor"])
    assert voided["state"] == "voided"
    assert voided["light"] is None


async def test_a_late_case_appealed_with_evidence_is_exempt_once_a_supervisor_approves(
    handling, dispatch, city_crew, tail
):
    case_id = await dispatch.open_and_assign(city_crew, handling, handle_within=timedelta(seconds=1))
    topic = await tail(handling.topic(CASE_EVENTS))
    await post(handling, case_id, "accept", CITY["worker"])
    await asyncio.sleep(1.5)  # resolved after the handling deadline: late
    await post(handling, case_id, "resolve", CITY["worker"], {"note": "done", "evidence": [PHOTO]})
    appeal = {"note": "the road was closed by the police", "evidence": [PHOTO]}
    await post(handling, case_id, "requests/appeal", CITY["worker"], appeal)
    exempt = await post(handling, case_id, "requests/appeal/approve", CITY["supervisor"])
    assert exempt["exempt_from_lateness"] is True
    events = await published(topic, case_id, 4)
    decided = events[-1].data
    assert isinstance(decided, CaseRequestDecided)
    assert (decided.kind, decided.approved, decided.exempt_from_lateness) == ("appeal", True, True)


async def test_escalated_to_the_street_a_case_goes_to_consultation_and_to_the_lead_department(
    handling, dispatch, city_crew, tail
):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    topic = await tail(handling.topic(CASE_EVENTS))
    community = await post(handling, case_id, "escalate", CITY["worker"], {"note": "needs the committee"})
    assert (community["tier"], community["assignee_id"]) == ("community", CITY["community_officer"].person_id)
    street = await post(
        handling, case_id, "escalate", CITY["community_officer"], {"note": "needs the street"}
    )
    assert (street["tier"], street["assignee_id"]) == ("street", "so-tinghu-wenfeng-1")
    await post(
        handling,
        case_id,
        "consultation",
        CITY["street_officer"],
        {"note": "who owns this?", "invited_units": ["dept-urban-management"]},
    )
    # Invited, the department finds the case in its list as well as by id (the list's SQL twin of can_see).
    listed = await handling.http.get(
        "/v1/cases", params={"state": "in_consultation", "limit": 200}, headers=CITY["department"].headers()
    )
    assert str(case_id) in [item["id"] for item in listed.json()["items"]]
    await post(
        handling,
        case_id,
        "consultation/opinions",
        CITY["department"],
        {"unit_id": "dept-urban-management", "note": "ours: illegal structure"},
    )
    deadline = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    decided = await post(
        handling,
        case_id,
        "consultation/decision",
        CITY["street_officer"],
        {
            "lead_unit": "dept-urban-management",
            "supporting_units": ["c-tinghu-wenfeng-yulong"],
            "deadline": deadline.isoformat(),
            "note": "urban management leads",
        },
    )
    assert (decided["state"], decided["assignee_id"], decided["tier"]) == (
        "assigned",
        "dh-urban-management",
        "district",
    )
    assert datetime.fromisoformat(decided["resolve_by"]) == deadline
    assert decided["consultation"]["opinions"] == {"dept-urban-management": "ours: illegal structure"}

    events = await published(topic, case_id, 5)
    assert [type(e.data) for e in events] == [
        CaseEscalated,
        CaseEscalated,
        CaseConsultationStarted,
        CaseOpinionRecorded,
        CaseConsultationDecided,
    ]
    first = events[0].data
    assert (first.from_tier, first.to_tier, first.automatic, first.previous_holder_id) == (
        "grid",
        "community",
        False,
        CITY["worker"].person_id,
    )
    assert events[-1].data.deadline == deadline


async def test_an_unsatisfied_callback_the_handler_caused_reopens_the_case_and_a_rework_is_counted(
    handling, dispatch, city_crew, tail
):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    topic = await tail(handling.topic(CASE_EVENTS))
    worker, chief, operator = CITY["worker"], CITY["chief"], CITY["operator"]
    await post(handling, case_id, "accept", worker)
    await post(handling, case_id, "resolve", worker, {"note": "cleared", "evidence": [PHOTO]})
    reworked = await post(
        handling, case_id, "verify", chief, {"passed": False, "note": "half done", "evidence": [PHOTO]}
    )
    assert reworked["reworks"] == 1
    await post(handling, case_id, "resolve", worker, {"note": "all cleared", "evidence": [PHOTO]})
    await post(handling, case_id, "verify", chief, {"passed": True, "note": "checked", "evidence": [PHOTO]})
    await post(handling, case_id, "close", chief)
    reopened = await post(
        handling,
        case_id,
        "callback",
        operator,
        {"satisfaction": 1, "handler_caused": True, "note": "it is back"},
    )
    assert reopened["state"] == "reopened"
    again = await post(handling, case_id, "accept", worker)
    assert again["state"] == "accepted"
    events = await published(topic, case_id, 9)
    callback = events[-2].data
    assert isinstance(callback, CaseCallbackRecorded)
    assert (callback.satisfaction, callback.satisfied, callback.reopened, callback.against) == (
        1,
        False,
        True,
        worker.person_id,
    )


async def test_an_operator_files_an_untriaged_case_only_with_its_filing_standards_ticked(
    handling, dispatch, city_crew
):
    opened, _ = dispatch.events(city_crew)
    opened = opened.model_copy(update={"category": "safety.gas_leak"})
    await dispatch.publish(handling, opened)
    operator = CITY["operator"]

    async def waiting_for_triage() -> bool:
        response = await handling.http.get(f"/v1/cases/{opened.case_id}", headers=operator.headers())
        return bool(response.status_code == 200 and response.json()["state"] == "opened")

    await handling.wait_for(waiting_for_triage, what="the untriaged case")
    body: dict[str, Any] = {"assignee_id": CITY["worker"].person_id, "note": "filed by the command centre"}
    refused = await handling.http.post(
        f"/v1/cases/{opened.case_id}/reassign", json=body, headers=operator.headers()
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "rule_broken")
    assert "filing standards not met for safety.gas_leak" in refused.json()["error"]["message"]
    body["standards_met"] = ["location confirmed on site", "reporter reached by phone"]
    filed = await post(handling, opened.case_id, "reassign", operator, body)
    assert (filed["state"], filed["assignee_id"]) == ("assigned", CITY["worker"].person_id)
