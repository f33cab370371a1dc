"""Durable timers against the real database: supervision cards and automatic escalation fire when the
case's light turns, once each; a deadline that passes while handling is down fires once after restart."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
import yaml

from services.handling.config import HANDLING_FILE
from services.handling.repository import CaseRepository
from shared.settings import REPO_ROOT
from tests.integration.handling.conftest import (
    CITY,
    Handling,
    drop_data,
    handling_settings,
    running_handling,
)

CITY_DIR = REPO_ROOT / "city"


async def actions(handling: Any, case_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=CITY["supervisor"].headers())
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


@pytest.fixture
async def escalating_at_red(database_url, kafka_bootstrap, tmp_path) -> AsyncIterator[Handling]:
    """Handling with the sample city, except that its policy escalates a case the moment it turns red."""
    for item in CITY_DIR.iterdir():
        (tmp_path / item.name).symlink_to(item)
    (tmp_path / HANDLING_FILE).unlink()
    policy = yaml.safe_load((CITY_DIR / HANDLING_FILE).read_text(encoding="utf-8"))
    policy["escalation"]["after_red"] = None
    (tmp_path / HANDLING_FILE).write_text(yaml.safe_dump(policy), encoding="utf-8")
    settings = handling_settings(database_url, kafka_bootstrap, uuid.uuid4().hex[:10])
    async with running_handling(settings.model_copy(update={"city_dir": tmp_path})) as handling:
        yield handling


async def test_cards_and_escalation_fire_as_the_light_turns_once_each(escalating_at_red, dispatch, city_crew):
    handling = escalating_at_red
    case_id = await dispatch.open_and_assign(
        city_crew, handling, handle_within=timedelta(seconds=4), yellow_after=timedelta(seconds=2)
    )
    case = (await handling.http.get(f"/v1/cases/{case_id}", headers=CITY["operator"].headers())).json()
    assert case["light"] == "green"
    yellow_at, red_at = datetime.fromisoformat(case["yellow_at"]), datetime.fromisoformat(case["red_at"])

    async def escalated() -> bool:
        return any(e["action"] == "escalate" for e in await actions(handling, case_id))

    await handling.wait_for(escalated, within=30, what="the automatic escalation at red")
    await asyncio.sleep(1.5)  # anything that would fire twice has had time to
    entries = await actions(handling, case_id)
    fired = Counter(e["action"] for e in entries if e["actor_role"] == "system" and e["seq"] > 2)
    assert fired == {"remind": 1, "yellow_card": 1, "red_card": 1, "escalate": 1}
    at = {e["action"]: datetime.fromisoformat(e["at"]) for e in entries}
    assert at["yellow_card"] >= yellow_at, "never early"
    assert at["red_card"] >= red_at
    escalation = next(e for e in entries if e["action"] == "escalate")
    assert escalation["details"]["automatic"] is True
    assert escalation["details"]["holder_id"] == CITY["community_officer"].person_id
    now_case = (await handling.http.get(f"/v1/cases/{case_id}", headers=CITY["operator"].headers())).json()
    assert (now_case["tier"], now_case["light"]) == ("community", "red")


async def test_a_deadline_passing_while_handling_is_down_fires_once_after_restart(
    database_url, kafka_bootstrap, dispatch, city_crew
):
    settings = handling_settings(database_url, kafka_bootstrap, uuid.uuid4().hex[:10])
    try:
        async with running_handling(settings, keep_data=True) as first:
            case_id = await dispatch.open_and_assign(
                city_crew, first, handle_within=timedelta(seconds=3), yellow_after=timedelta(seconds=2)
            )
            red_at = datetime.fromisoformat(
                (await first.http.get(f"/v1/cases/{case_id}", headers=CITY["operator"].headers())).json()[
                    "red_at"
                ]
            )
        # handling is down while the case turns red
        await asyncio.sleep(max(0.0, (red_at - datetime.now(red_at.tzinfo)).total_seconds()) + 1)
        for _ in range(2):  # restarted, then restarted again: still once
            async with running_handling(settings, keep_data=True) as again:

                async def red_carded(handling: Any = again) -> bool:
                    return any(e["action"] == "red_card" for e in await actions(handling, case_id))

                await again.wait_for(red_carded, within=30, what="the red card after restart")
                await asyncio.sleep(1.5)  # time enough for a second firing, if there were one
        entries = await actions_of(settings, case_id)
        assert Counter(entries)["red_card"] == 1
        assert Counter(entries)["yellow_card"] == 1
    finally:
        await drop_data(settings)


async def actions_of(settings: Any, case_id: uuid.UUID) -> list[str]:
    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        rows = await connection.fetch(
            f'select action from "{settings.db_schema}".case_timeline where case_id = $1 order by seq',
            case_id,
        )
    finally:
        await connection.close()
    return [row["action"] for row in rows]


async def test_a_timer_due_while_a_step_holds_its_case_waits_for_the_case_and_never_deadlocks(
    handling, dispatch, city_crew, database_url
):
    """The runner locks a timer's case before the timer, as a step does: the other order deadlocked
    with a step replacing the case's timers (PostgreSQL aborted one of them: a 500 in `make demo`)."""
    case_id = await dispatch.open_and_assign(city_crew, handling)
    schema = handling.schema
    # Due only for this test's runner (its clock is a year ahead), never for the app's own.
    soon = datetime.now().astimezone() + timedelta(days=300)
    step, runner = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        await step.execute(
            f'insert into "{schema}".timers (case_id, kind, due_at) values ($1, $2, $3)',
            case_id,
            "remind",
            soon,
        )
        firing = runner.transaction()
        await firing.start()
        async with step.transaction():
            await step.execute(f'select 1 from "{schema}".cases where id = $1 for update', case_id)
            claim = asyncio.create_task(
                CaseRepository(runner, schema).claim_due_timer(soon + timedelta(days=365))
            )
            await asyncio.sleep(0.5)
            assert not claim.done()  # waiting for the case, holding nothing of it
            await CaseRepository(step, schema).arm_timers(case_id, [])  # the step's own timers
        claimed = await asyncio.wait_for(claim, 10)
        await firing.commit()
        assert claimed is None or claimed["case_id"] != case_id  # the replaced timer was passed over
    finally:
        await step.close()
        await runner.close()
