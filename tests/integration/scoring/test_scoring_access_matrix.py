"""Every route of scoring × who asks: a token on every route, and each person sees only the subjects in
their jurisdiction.

Two closed cases of November 2026 in the sample city, one in Tinghu (grid g-tinghu-wenfeng-01, reported
by a rider) and one in Yandu (grid g-yandu-xindu-01), give results for both districts, their streets,
communities, grids and grid workers, and a reporter. Each person of the table then lists, ranks, prints
and opens exactly what lies in their jurisdiction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.auth import AUDIENCE, LOCAL_ISSUER
from shared.auth.keys import public_pem
from tests.builders import at
from tests.builders.tokens import forged, mint, signing_key
from tests.integration.scoring.cases import CaseStory
from tests.integration.scoring.conftest import CaseEventProducer, RunningScoring, bearer, until

PERIOD = "2026-11"
RIDER = "delivery_rider:rider-matrix"
# The Yandu case's reporter (the story's default).
RESIDENT = "resident:resident-1"
TINGHU = {
    "district": "d-tinghu",
    "street": "s-tinghu-wenfeng",
    "community": "c-tinghu-wenfeng-yulong",
    "grid": "g-tinghu-wenfeng-01",
    "grid_worker": "w-tinghu-wenfeng-01",
}
YANDU = {
    "district": "d-yandu",
    "street": "s-yandu-xindu",
    "community": "c-yandu-xindu-kaifang",
    "grid": "g-yandu-xindu-01",
    "grid_worker": "w-yandu-xindu-01",
}
LEVELS = (*TINGHU, "reporter")


def tinghu_down_to(level: str) -> dict[str, set[str]]:
    """What someone sees whose jurisdiction is Tinghu's unit of ``level``: it and what lies inside it."""
    order = ("district", "street", "community", "grid")
    seen = {kind: {TINGHU[kind]} for kind in order[order.index(level) :]}
    return {kind: seen.get(kind, set()) for kind in LEVELS} | {"grid_worker": {TINGHU["grid_worker"]}}


NOTHING: dict[str, set[str]] = {kind: set() for kind in LEVELS}
# person → the subjects of each level they see among the results.
SEES: dict[str, dict[str, set[str]]] = {
    "sv-yancheng": {kind: {TINGHU[kind], YANDU[kind]} for kind in TINGHU} | {"reporter": {RIDER, RESIDENT}},
    "op-tinghu": tinghu_down_to("district"),
    "sv-tinghu": tinghu_down_to("district"),
    "so-tinghu-wenfeng-1": tinghu_down_to("street"),
    "co-tinghu-wenfeng-yulong": tinghu_down_to("community"),
    "gc-tinghu-wenfeng-01": tinghu_down_to("grid"),
    "w-tinghu-wenfeng-01": tinghu_down_to("grid"),
    # A worker of the next grid: their own grid has no result, and the other grid's worker is not theirs.
    "w-tinghu-wenfeng-03": NOTHING,
    "op-yandu": {kind: {YANDU[kind]} for kind in TINGHU} | {"reporter": set()},
    "dh-housing": NOTHING,
}


@pytest.fixture(scope="module")
async def results(scoring: RunningScoring, case_events: CaseEventProducer) -> None:
    tinghu = CaseStory(TINGHU["grid"], at("2026-11-20T09:00")).opened()
    step, opening = tinghu.events[0]
    rider = {"source_type": "delivery_rider", "reporter_id": "rider-matrix"}
    tinghu.events[0] = (step, opening.model_copy(update=rider))
    tinghu.assigned(TINGHU["grid_worker"]).handled_and_closed(at("2026-11-18T02:00"))
    yandu = CaseStory(YANDU["grid"], at("2026-11-20T09:00")).opened()
    yandu.assigned(YANDU["grid_worker"]).handled_and_closed(at("2026-11-18T03:00"))
    for story in (tinghu, yandu):
        for step, event in story.events:
            await case_events.send(event, step)

    async def both_districts() -> bool:
        body = (await scoring.http.get("/v1/rankings", params={"level": "district", "period": PERIOD})).json()
        return {item["subject_id"] for item in body["items"]} == {"d-tinghu", "d-yandu"}

    await until(both_districts, what="both districts' results")


@pytest.fixture(scope="module")
async def anonymous(scoring: RunningScoring) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sends no token of its own: each request says who asks."""
    transport = httpx.ASGITransport(app=scoring.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://scoring") as client:
        yield client


ROUTES: list[tuple[str, dict[str, str]]] = [
    ("/v1/assessments", {"period": PERIOD, "subject_type": "grid"}),
    ("/v1/assessments/district/d-tinghu", {"period": PERIOD}),
    ("/v1/rankings", {"level": "grid", "period": PERIOD}),
    (f"/v1/bulletins/{PERIOD}.csv", {"level": "grid"}),
    ("/v1/periods", {}),
    ("/v1/rubric", {}),
    ("/v1/vanguard", {"period": PERIOD}),
    ("/v1/volunteer-hours", {"year": "2026"}),
    ("/v1/trends", {}),
    ("/v1/alerts", {}),
]


def test_the_matrix_covers_every_route_scoring_serves(scoring: RunningScoring):
    served = {path for path in scoring.app.openapi()["paths"] if path.startswith("/v1/")}
    templates = {
        "/v1/assessments/district/d-tinghu": "/v1/assessments/{subject_type}/{subject_id}",
        f"/v1/bulletins/{PERIOD}.csv": "/v1/bulletins/{period}.csv",
    }
    assert served == {templates.get(path, path) for path, _ in ROUTES}


def bad_tokens() -> dict[str, dict[str, str]]:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": LOCAL_ISSUER, "aud": AUDIENCE, "sub": "sv-yancheng", "exp": now + 300}
    tokens = {
        "signed by another key": mint("sv-yancheng", key=signing_key("impostor")),
        "expired": mint("sv-yancheng", now=datetime.now(UTC) - timedelta(hours=1)),
        "nobody in the registry": mint("sv-nobody"),
        "claims a role the registry does not give": mint("w-tinghu-wenfeng-01", role="supervisor"),
        "HS256 keyed with the public key": forged("HS256", claims, public_pem(signing_key().public_key())),
        "unsigned": forged("none", claims),
    }
    return {"no token": {}} | {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}


async def test_every_route_refuses_a_missing_bad_or_disowned_token(
    anonymous: httpx.AsyncClient, results: None
):
    failures = []
    for why, headers in bad_tokens().items():
        for path, params in ROUTES:
            response = await anonymous.get(path, params=params, headers=headers)
            if response.status_code != 401:
                failures.append(f"{why}: {path} → {response.status_code}")
    assert not failures, "\n".join(failures)


async def listed(client: httpx.AsyncClient, person: str, path: str, **params: str) -> set[str]:
    response = await client.get(path, params=params, headers=bearer(person))
    assert response.status_code == 200, (person, path, response.text)
    return {item["subject_id"] for item in response.json()["items"]}


@pytest.mark.parametrize("person", sorted(SEES))
async def test_lists_rankings_and_bulletins_hold_only_the_subjects_in_ones_jurisdiction(
    anonymous: httpx.AsyncClient, results: None, person: str
):
    for level in LEVELS:
        expected = SEES[person][level]
        ranked = await listed(anonymous, person, "/v1/rankings", level=level, period=PERIOD)
        assessed = await listed(anonymous, person, "/v1/assessments", subject_type=level, period=PERIOD)
        assert (ranked, assessed) == (expected, expected), (person, level)
        bulletin = await anonymous.get(
            f"/v1/bulletins/{PERIOD}.csv", params={"level": level}, headers=bearer(person)
        )
        rows = list(csv.reader(io.StringIO(bulletin.content.decode("utf-8-sig"))))[1:]
        printed = {cell for row in rows for cell in row}
        assert expected <= printed, (person, level)
        hidden = {subject for other in SEES.values() for subject in other[level]} - expected
        assert not hidden & printed, (person, level, hidden & printed)


@pytest.mark.parametrize("person", sorted(SEES))
async def test_a_subjects_own_result_opens_inside_ones_jurisdiction_only(
    anonymous: httpx.AsyncClient, results: None, person: str
):
    for level in LEVELS:
        for subject in sorted(SEES["sv-yancheng"][level]):
            response = await anonymous.get(
                f"/v1/assessments/{level}/{subject}", params={"period": PERIOD}, headers=bearer(person)
            )
            expected = 200 if subject in SEES[person][level] else 403
            assert response.status_code == expected, (person, level, subject, response.text)
            if expected == 403:
                assert set(response.json()) == {"error"}, "a refusal shows nothing of the result"


@pytest.mark.parametrize(
    ("person", "params", "status"),
    [
        ("op-tinghu", {"unit_type": "district", "unit_id": "d-tinghu"}, 200),
        ("op-tinghu", {"unit_type": "grid", "unit_id": "g-tinghu-wenfeng-01"}, 200),
        ("op-tinghu", {"unit_type": "district", "unit_id": "d-yandu"}, 403),
        ("op-tinghu", {}, 403),
        ("w-tinghu-wenfeng-01", {"unit_type": "grid", "unit_id": "g-tinghu-wenfeng-01"}, 200),
        ("w-tinghu-wenfeng-01", {"unit_type": "community", "unit_id": "c-tinghu-wenfeng-yulong"}, 403),
        ("sv-yancheng", {}, 200),
        ("sv-yancheng", {"unit_type": "district", "unit_id": "d-yandu"}, 200),
    ],
)
async def test_trends_are_of_units_in_ones_jurisdiction(
    anonymous: httpx.AsyncClient, results: None, person: str, params: dict[str, str], status: int
):
    response = await anonymous.get("/v1/trends", params=params, headers=bearer(person))
    assert response.status_code == status, response.text


async def test_alerts_of_a_grid_outside_ones_jurisdiction_are_refused(
    anonymous: httpx.AsyncClient, results: None
):
    outside = await anonymous.get(
        "/v1/alerts", params={"grid_id": YANDU["grid"]}, headers=bearer("op-tinghu")
    )
    assert outside.status_code == 403
    inside = await anonymous.get(
        "/v1/alerts", params={"grid_id": TINGHU["grid"]}, headers=bearer("op-tinghu")
    )
    assert inside.status_code == 200
    assert (await anonymous.get("/v1/alerts", headers=bearer("op-tinghu"))).status_code == 200


@pytest.mark.parametrize("person", sorted(SEES))
async def test_the_vanguard_and_volunteer_hours_hold_only_ones_own(
    anonymous: httpx.AsyncClient, scoring: RunningScoring, results: None, person: str
):
    vanguard = await anonymous.get("/v1/vanguard", params={"period": PERIOD}, headers=bearer(person))
    riders = {item["reporter"] for item in vanguard.json()["items"]}
    assert riders == {r for r in SEES[person]["reporter"] if r.startswith("delivery_rider:")}
    hours = await anonymous.get("/v1/volunteer-hours", params={"year": "2026"}, headers=bearer(person))
    people = {item["person_id"] for item in hours.json()["items"]}
    assert SEES[person]["grid_worker"] <= people
    assert not {YANDU["grid_worker"], TINGHU["grid_worker"]} - SEES[person]["grid_worker"] & people


@pytest.mark.parametrize("person", sorted(SEES))
async def test_periods_and_the_rubric_are_for_anyone_signed_in(
    anonymous: httpx.AsyncClient, results: None, person: str
):
    for path in ("/v1/periods", "/v1/rubric"):
        assert (await anonymous.get(path, headers=bearer(person))).status_code == 200
