"""Reading cases on the real PostgreSQL: the list filters (state, tier, grid, category, overdue) and
jurisdiction, the page-size cap with its cursor, and a case's detail with its whole timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.handling.domain import Actor, open_case
from services.handling.domain.merges import credit_merged_report
from services.handling.repository import CaseRepository
from tests.builders import report_merged
from tests.integration.handling.conftest import Crew, Dispatch, Handling

SYSTEM = Actor(id="test", role="system")


async def _open(
    handling: Handling,
    dispatch: Dispatch,
    crew: Crew,
    *,
    close_in: timedelta = timedelta(days=3),
    **fields: Any,
) -> uuid.UUID:
    """A case opened straight through the repository (as the consumer's transaction writes it)."""
    opened, _ = dispatch.events(crew)
    now = datetime.now(UTC)
    event = opened.model_copy(
        update={"case_id": uuid.uuid4(), "close_by": now + close_in, "resolve_by": now + close_in} | fields
    )
    case = open_case(event, event_id=uuid.uuid4(), actor=SYSTEM, now=now)
    async with handling.pool.acquire() as conn, conn.transaction():
        await CaseRepository(conn, handling.schema).add(case)
    return case.id


async def _ids(handling: Handling, crew: Crew, **params: Any) -> set[str]:
    response = await handling.http.get(
        "/v1/cases", params=params | {"limit": 200}, headers=crew.operator.headers()
    )
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_the_list_filters_by_tier_category_grid_state_and_overdue(handling, dispatch, crew: Crew):
    grid = crew.assignee.unit_id
    plain = await _open(handling, dispatch, crew)
    late = await _open(handling, dispatch, crew, close_in=-timedelta(hours=1))
    street = await _open(handling, dispatch, crew, tier="street")
    water = await _open(handling, dispatch, crew, category="water.leak")
    elsewhere = await _open(handling, dispatch, crew, grid_id=f"{grid}-b")
    assigned = await dispatch.open_and_assign(crew, handling)
    mine = {str(i) for i in (plain, late, street, water, elsewhere, assigned)}

    assert await _ids(handling, crew, grid_id=grid, tier="street") == {str(street)}
    assert await _ids(handling, crew, grid_id=grid, category="water.leak") == {str(water)}
    assert (await _ids(handling, crew, grid_id=f"{grid}-b")) == {str(elsewhere)}
    assert await _ids(handling, crew, grid_id=grid, state="assigned") == {str(assigned)}
    either = await _ids(handling, crew, grid_id=grid, state=["assigned", "opened"])
    assert either == {str(i) for i in (plain, late, street, water, assigned)}
    assert (await _ids(handling, crew, overdue="true")) & mine == {str(late)}
    assert (await _ids(handling, crew, overdue="false")) & mine == mine - {str(late)}
    assert await _ids(handling, crew, grid_id=grid, tier="street", category="water.leak") == set()


async def test_overdue_in_the_list_agrees_with_each_case_it_lists(handling, dispatch, crew: Crew):
    await _open(handling, dispatch, crew, close_in=-timedelta(minutes=5))
    await _open(handling, dispatch, crew)
    for overdue in (True, False):
        page = await handling.http.get(
            "/v1/cases",
            params={"overdue": str(overdue).lower(), "limit": 200},
            headers=crew.operator.headers(),
        )
        assert page.json()["items"]
        assert {item["overdue"] for item in page.json()["items"]} == {overdue}


async def test_the_list_holds_only_cases_in_the_callers_jurisdiction(handling, dispatch, crew: Crew):
    ours = str(await _open(handling, dispatch, crew))
    theirs = str(await _open(handling, dispatch, crew, district_id=f"{crew.district_id}-x"))
    assert ours in await _ids(handling, crew)
    assert theirs not in await _ids(handling, crew)
    for person in (crew.stranger,):
        listed = await handling.http.get("/v1/cases", params={"limit": 200}, headers=person.headers())
        assert not {item["id"] for item in listed.json()["items"]} & {ours, theirs}
    filtered = await handling.http.get(
        "/v1/cases", params={"grid_id": crew.assignee.unit_id}, headers=crew.stranger.headers()
    )
    assert filtered.json()["items"] == [], "a filter never widens what the caller may see"


async def test_a_limit_over_the_cap_is_served_as_the_cap_and_the_cursor_reaches_every_case(
    handling, dispatch, crew: Crew
):
    category = f"test.cap-{uuid.uuid4().hex[:6]}"
    opened = {str(await _open(handling, dispatch, crew, category=category)) for _ in range(203)}
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"category": category, "limit": 10_000} | ({"cursor": cursor} if cursor else {})
        page = (await handling.http.get("/v1/cases", params=params, headers=crew.operator.headers())).json()
        pages += 1
        assert len(page["items"]) <= 200
        seen += [item["id"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert pages == 2
    assert sorted(seen) == sorted(opened)
    bad = await handling.http.get("/v1/cases", params={"limit": 0}, headers=crew.operator.headers())
    assert bad.status_code == 422


async def test_a_case_detail_carries_its_timeline_including_merged_reports(handling, dispatch, crew: Crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    merged = report_merged(case_id=case_id)
    async with handling.pool.acquire() as conn, conn.transaction():
        case = await CaseRepository(conn, handling.schema).get(case_id, for_update=True)
        assert case is not None
        after = credit_merged_report(case, merged, event_id=uuid.uuid4(), now=datetime.now(UTC))
        await CaseRepository(conn, handling.schema).save(case, after)

    detail = await handling.http.get(f"/v1/cases/{case_id}", headers=crew.operator.headers())
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["state"] == "assigned"
    assert [entry["action"] for entry in body["timeline"]] == ["open", "assign", "merge"]
    assert body["timeline"][-1]["actor_id"] == "rider-7"
    timeline = await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=crew.operator.headers())
    assert timeline.json()["entries"] == body["timeline"]
    hidden = await handling.http.get(f"/v1/cases/{case_id}", headers=crew.stranger.headers())
    assert hidden.status_code == 403


async def test_the_list_filters_by_traffic_light_as_each_case_shows_it(handling, dispatch, crew: Crew):
    green = await dispatch.open_and_assign(crew, handling)
    yellow = await dispatch.open_and_assign(crew, handling, yellow_after=-timedelta(minutes=1))
    red = await dispatch.open_and_assign(crew, handling, handle_within=-timedelta(minutes=1))
    ours = {str(green), str(yellow), str(red)}
    shown: dict[str, str] = {}
    for light in ("green", "yellow", "red"):
        page = await handling.http.get(
            "/v1/cases", params={"light": light, "limit": 200}, headers=crew.operator.headers()
        )
        assert page.status_code == 200, page.text
        items = [item for item in page.json()["items"] if item["id"] in ours]
        assert {item["light"] for item in items} <= {light}, "the filter and the case's own light disagree"
        shown |= {item["id"]: light for item in items}
    assert shown[str(green)] == "green"
    assert shown[str(yellow)] == "yellow"
    assert shown[str(red)] == "red"
    unclocked = await handling.http.get(
        "/v1/cases", params={"light": "red", "state": "opened"}, headers=crew.operator.headers()
    )
    assert unclocked.json()["items"] == [], "a case shows a light only while its clock runs"
