"""Every route of handling × who asks × inside or outside the case's jurisdiction.

One grid case in a crew's district (its department: urban management). For every route the app serves:
no token, a bad one or one the registry does not back is 401; someone whose jurisdiction the case is
not in is 403 (its lists and stream simply leave the case out) and learns nothing of it, and nothing is
written; someone whose jurisdiction it is in is never refused for jurisdiction (a step may still be
another role's, or not allowed in the case's state).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.auth import AUDIENCE, LOCAL_ISSUER
from shared.auth.keys import public_pem
from tests.builders.registry import CrewUnits, session_crews
from tests.builders.tokens import forged, mint, signing_key
from tests.integration.handling.conftest import Person, crew_of
from tests.integration.handling.stream_client import listening, served

DEPARTMENT = "dept-urban-management"

# People of the sample city: none serves the crew's district, nor the case's department.
OUTSIDE = {
    "grid_worker": Person("w-tinghu-wenfeng-01", "grid_worker", "g-tinghu-wenfeng-01"),
    "grid_chief": Person("gc-tinghu-wenfeng-01", "grid_chief", "g-tinghu-wenfeng-01"),
    "community_officer": Person("co-tinghu-wenfeng-yulong", "community_officer", "c-tinghu-wenfeng-yulong"),
    "street_officer": Person("so-tinghu-wenfeng-1", "street_officer", "s-tinghu-wenfeng"),
    "operator": Person("op-tinghu", "operator", "d-tinghu"),
    "supervisor": Person("sv-tinghu", "supervisor", "d-tinghu"),
    "department_handler": Person("dh-housing", "department_handler", "dept-housing"),
}


def inside(units: CrewUnits) -> dict[str, Person]:
    return {
        "grid_worker (the holder)": Person.of(units.worker),
        "grid_chief (the verifier)": Person.of(units.chief),
        "community_officer": Person.of(units.community_officer),
        "street_officer": Person.of(units.street_officer),
        "operator": Person.of(units.operator),
        "supervisor": Person.of(units.supervisor),
        "city-wide supervisor": Person("sv-yancheng", "supervisor", "yancheng"),
        "department_handler": Person("dh-urban-management", "department_handler", DEPARTMENT),
    }


def steps(units: CrewUnits) -> dict[str, dict[str, Any]]:
    """Every step route, with a body that passes validation (so the request reaches the step)."""
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    return {
        "accept": {},
        "resolve": {"note": "done"},
        "verify": {"passed": True},
        "close": {},
        "start": {},
        "requests/extension": {"note": "parts", "length": "P1D"},
        "requests/extension/approve": {},
        "requests/extension/reject": {"note": "no"},
        "resume": {},
        "escalate": {"note": "too big"},
        "reassign": {"assignee_id": units.worker.person_id},
        "consultation": {"note": "joint review", "invited_units": [units.community_id]},
        "consultation/opinions": {"note": "ours", "unit_id": units.community_id},
        "consultation/decision": {"lead_unit": units.community_id, "deadline": soon},
        "callback": {"satisfaction": 5},
    }


READS = ("", "/timeline")
INSIDE_ROLES = [
    "grid_worker (the holder)",
    "grid_chief (the verifier)",
    "community_officer",
    "street_officer",
    "operator",
    "supervisor",
    "city-wide supervisor",
    "department_handler",
]


@pytest.fixture(scope="module")
def units() -> CrewUnits:
    return session_crews().next()


@pytest.fixture(scope="module")
async def case_id(handling, dispatch, units: CrewUnits) -> uuid.UUID:
    """The case refusals and reads are tried on: nothing done to it in them changes it."""
    opened: uuid.UUID = await dispatch.open_and_assign(crew_of(units, department_id=DEPARTMENT), handling)
    return opened


def test_the_matrix_covers_every_route_handling_serves(handling, units: CrewUnits):
    served_paths = {
        (method.upper(), path)
        for path, operations in handling.app.openapi()["paths"].items()
        for method in operations
    }
    covered = {("GET", "/v1/cases"), ("GET", "/v1/stream/cases")}
    covered |= {("GET", f"/v1/cases/{{case_id}}{read}") for read in READS}
    for step in steps(units):
        path = "/v1/cases/{case_id}/" + step.replace("extension", "{kind}")
        covered.add(("POST", path))
    assert served_paths == covered


def bad_tokens(units: CrewUnits) -> dict[str, dict[str, str]]:
    worker = units.worker.person_id
    claims = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": worker,
        "exp": int(datetime.now(UTC).timestamp()) + 300,
    }
    tokens = {
        "signed by another key": mint(worker, key=signing_key("impostor")),
        "expired": mint(worker, now=datetime.now(UTC) - timedelta(hours=1)),
        "nobody in the registry": mint("w-001"),
        "claims a role the registry does not give": mint(worker, role="supervisor", unit_id="yancheng"),
        "for another audience": mint(worker, audience="another-app"),
        "HS256 keyed with the public key": forged("HS256", claims, public_pem(signing_key().public_key())),
        "unsigned": forged("none", claims),
    }
    return {"no token": {}} | {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}


async def test_every_route_refuses_a_missing_bad_or_disowned_token(handling, case_id, units: CrewUnits):
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/v1/cases", None),
        ("GET", "/v1/stream/cases", None),
    ]
    requests += [("GET", f"/v1/cases/{case_id}{read}", None) for read in READS]
    requests += [("POST", f"/v1/cases/{case_id}/{step}", body) for step, body in steps(units).items()]
    failures = []
    for why, headers in bad_tokens(units).items():
        for method, path, body in requests:
            response = await handling.http.request(method, path, json=body, headers=headers)
            if response.status_code != 401 or response.json()["error"]["code"] != "unauthorized":
                failures.append(f"{why}: {method} {path} → {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", sorted(OUTSIDE))
async def test_outside_the_jurisdiction_every_route_is_refused_and_tells_nothing(
    handling, case_id, units: CrewUnits, role: str
):
    person = OUTSIDE[role]
    for read in READS:
        response = await handling.http.get(f"/v1/cases/{case_id}{read}", headers=person.headers())
        assert response.status_code == 403, (read, response.text)
        assert set(response.json()) == {"error"}
    listed = await handling.http.get(
        "/v1/cases", params={"grid_id": units.grid_id, "limit": 200}, headers=person.headers()
    )
    assert (listed.status_code, listed.json()["items"]) == (200, [])
    for step, body in steps(units).items():
        response = await handling.http.post(
            f"/v1/cases/{case_id}/{step}", json=body, headers=person.headers()
        )
        assert response.status_code == 403, (step, response.status_code, response.text)
        assert "outside your jurisdiction" in response.json()["error"]["message"], step
        assert str(units.grid_id) not in response.text, "a refusal does not describe the case"
    timeline = await handling.http.get(
        f"/v1/cases/{case_id}/timeline", headers=Person.of(units.operator).headers()
    )
    assert len(timeline.json()["entries"]) == 2, "nothing was written"


async def test_the_stream_carries_the_case_to_those_inside_only(handling, case_id, units: CrewUnits):
    async with served(handling.app) as base_url:
        for name, person in [*inside(units).items(), *OUTSIDE.items()]:
            async with listening(base_url, person.headers(), after=0, case_id=str(case_id)) as (received, _):
                await _settle(received, expected=2 if person in inside(units).values() else 0)
            if person in inside(units).values():
                assert received.of_case(case_id)[:2] == ["open", "assign"], name
            else:
                assert received.events == [], name


async def _settle(received: Any, *, expected: int) -> None:
    """Wait for the replay (or a little while, when nothing is expected to come)."""
    for _ in range(20 if expected else 5):
        if len(received.events) >= max(expected, 1):
            return
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("who", INSIDE_ROLES)
async def test_inside_the_jurisdiction_the_case_is_seen(handling, case_id, units: CrewUnits, who: str):
    person = inside(units)[who]
    for read in READS:
        response = await handling.http.get(f"/v1/cases/{case_id}{read}", headers=person.headers())
        assert response.status_code == 200, (who, read, response.text)
    listed = await handling.http.get(
        "/v1/cases", params={"limit": 200, "grid_id": units.grid_id}, headers=person.headers()
    )
    assert str(case_id) in [item["id"] for item in listed.json()["items"]], who


@pytest.mark.parametrize("who", INSIDE_ROLES)
async def test_inside_the_jurisdiction_no_step_is_refused_for_jurisdiction(
    handling, dispatch, units: CrewUnits, who: str
):
    """Each on a case of their own, just assigned: a step may be taken (the case moves on), or refused
    for the role or the state, but never for where the case is."""
    fresh = await dispatch.open_and_assign(crew_of(units, department_id=DEPARTMENT), handling)
    person = inside(units)[who]
    for step, body in steps(units).items():
        response = await handling.http.post(f"/v1/cases/{fresh}/{step}", json=body, headers=person.headers())
        assert response.status_code not in (401, 404), (who, step, response.text)
        if response.status_code == 403:
            message = response.json()["error"]["message"]
            assert "jurisdiction" not in message, (who, step, message)
            assert "acts only on cases they hold" not in message, (who, step, message)
