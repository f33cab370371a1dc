"""What handling refuses, and how it says so: 401 without a valid token, 403 for the wrong person,
404 for an unknown case, 409 for a step the case's state does not allow."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tests.builders.tokens import mint, signing_key


async def test_a_request_without_a_token_is_unauthorized(handling):
    response = await handling.http.get("/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_signed_with_another_key_is_unauthorized(handling, crew):
    headers = crew.assignee.headers(key=signing_key("impostor"))
    response = await handling.http.get("/v1/cases", headers=headers)
    assert response.status_code == 401


async def test_an_expired_token_is_unauthorized(handling, crew):
    expired = mint(crew.assignee.person_id, now=datetime(2020, 1, 1, tzinfo=UTC))
    response = await handling.http.get("/v1/cases", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_an_unknown_case_is_not_found(handling, crew):
    response = await handling.http.post(f"/v1/cases/{uuid.uuid4()}/accept", headers=crew.assignee.headers())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "case_not_found"


async def test_a_worker_outside_the_case_may_neither_see_nor_act_on_it(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    for response in (
        await handling.http.get(f"/v1/cases/{case_id}", headers=crew.stranger.headers()),
        await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.stranger.headers()),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert "jurisdiction" in response.json()["error"]["message"]


async def test_only_the_assignee_accepts_and_the_refusal_says_why(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    response = await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.verifier.headers())
    assert response.status_code == 403
    assert "only the holder" in response.json()["error"]["message"]
    case = (await handling.http.get(f"/v1/cases/{case_id}", headers=crew.verifier.headers())).json()
    assert case["state"] == "assigned"


async def test_closing_an_assigned_case_is_an_illegal_transition(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    response = await handling.http.post(
        f"/v1/cases/{case_id}/close", json={"note": "skip ahead"}, headers=crew.verifier.headers()
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["message"] == "cannot close a case that is assigned"
    allowed = error["details"][0].pop("allowed_actions")
    assert error["details"] == [{"state": "assigned", "action": "close"}]
    assert allowed[0] == "accept"
    assert {"request_return", "escalate", "request_void"} <= set(allowed)
    assert not {"close", "assign", "remind", "red_card"} & set(allowed), "system steps are not offered"
    timeline = (
        await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=crew.verifier.headers())
    ).json()
    assert len(timeline["entries"]) == 2


async def test_accepting_twice_is_an_illegal_transition_the_second_time(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    first = await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.assignee.headers())
    second = await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.assignee.headers())
    assert (first.status_code, second.status_code) == (200, 409)


async def test_failing_verification_without_a_note_is_an_invalid_request(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    response = await handling.http.post(
        f"/v1/cases/{case_id}/verify", json={"passed": False}, headers=crew.verifier.headers()
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_evidence_must_be_links(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.assignee.headers())
    response = await handling.http.post(
        f"/v1/cases/{case_id}/resolve", json={"evidence": ["not a url"]}, headers=crew.assignee.headers()
    )
    assert response.status_code == 422
