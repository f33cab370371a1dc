"""Role and jurisdiction over HTTP: 401 without a good token, 403 with the reason outside one's role or
jurisdiction, and nothing written when refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders.tokens import signing_key
from tests.integration.handling.conftest import CITY, Person


async def attempt(
    handling: Any, case_id: Any, path: str, person: Person | None, body: dict[str, Any] | None = None
) -> Any:
    headers = person.headers() if person else {}
    return await handling.http.post(f"/v1/cases/{case_id}/{path}", json=body or {}, headers=headers)


async def test_no_token_or_a_bad_one_is_401(handling, dispatch, city_crew):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    assert (await attempt(handling, case_id, "accept", None)).status_code == 401
    forged = CITY["worker"].headers(key=signing_key("impostor"))
    response = await handling.http.post(f"/v1/cases/{case_id}/accept", headers=forged)
    assert response.status_code == 401
    expired = CITY["worker"].headers(minutes=-5)
    assert (await handling.http.post(f"/v1/cases/{case_id}/accept", headers=expired)).status_code == 401


@pytest.mark.parametrize(
    ("who", "path", "body", "reason"),
    [
        ("other_worker", "accept", None, "only the holder"),
        ("chief", "requests/return", {"note": "x"}, "only the holder"),
        ("other_chief", "escalate", {"note": "x"}, "outside your jurisdiction"),
        ("other_operator", "requests/void", {"note": "x"}, "outside your jurisdiction"),
    ],
)
async def test_acting_outside_ones_role_or_jurisdiction_is_403_with_the_reason(
    handling, dispatch, city_crew, who, path, body, reason
):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    response = await attempt(handling, case_id, path, CITY[who], body)
    assert response.status_code == 403, response.text
    assert reason in response.json()["error"]["message"]
    entries = (
        await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=CITY["operator"].headers())
    ).json()
    assert len(entries["entries"]) == 2, "a refused step wrote nothing"


async def test_approvals_follow_the_policy_and_nobody_approves_their_own_request(
    handling, dispatch, city_crew
):
    case_id = await dispatch.open_and_assign(city_crew, handling)
    await attempt(handling, case_id, "accept", CITY["worker"])
    asked = await attempt(
        handling, case_id, "requests/extension", CITY["worker"], {"note": "parts", "length": "P1D"}
    )
    assert asked.status_code == 200
    by_operator = await attempt(handling, case_id, "requests/extension/approve", CITY["operator"])
    assert by_operator.status_code == 403
    assert "grid_chief, community_officer" in by_operator.json()["error"]["message"]
    rejected = await attempt(handling, case_id, "requests/extension/reject", CITY["chief"], {"note": "no"})
    assert rejected.status_code == 200
    cap = await attempt(
        handling, case_id, "requests/extension", CITY["worker"], {"note": "parts", "length": "P5D"}
    )
    assert (cap.status_code, cap.json()["error"]["code"]) == (409, "rule_broken")
    assert "at most P3D" in cap.json()["error"]["message"]


async def test_the_case_detail_offers_exactly_the_steps_its_caller_may_take_now(
    handling, dispatch, city_crew
):
    case_id = await dispatch.open_and_assign(city_crew, handling)

    async def offered(who: str) -> Any:
        return await handling.http.get(f"/v1/cases/{case_id}", headers=CITY[who].headers())

    worker = (await offered("worker")).json()["allowed_actions"]
    assert worker[0] == "accept"
    assert "request_return" in worker
    assert "pass_verification" not in worker
    assert "accept" not in (await offered("other_worker")).json()["allowed_actions"]
    assert (await offered("other_operator")).status_code in (403, 404), "nothing shown to a stranger"

    assert (await attempt(handling, case_id, "accept", CITY["worker"])).status_code == 200
    assert "accept" not in (await offered("worker")).json()["allowed_actions"]
    await attempt(handling, case_id, "resolve", CITY["worker"], {"note": "cleared"})
    assert "pass_verification" in (await offered("chief")).json()["allowed_actions"]
    assert "pass_verification" not in (await offered("worker")).json()["allowed_actions"], "the resolver"
