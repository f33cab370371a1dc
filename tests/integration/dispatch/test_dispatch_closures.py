"""A closed case takes no more duplicates — on a worker's very first start, before any restart.

Its own module, so that its worker is fresh: the closures topic is dispatch's own, and faust ignores a
subscribed topic that does not exist yet until the next rebalance; dispatch creates it before subscribing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from shared.events import derived_id, encode
from shared.events.cases import CaseClosed, CaseOpened
from shared.topics import CASE_EVENTS
from tests.integration.dispatch.conftest import DispatchProcess, produce
from tests.integration.dispatch.triage_reports import outcome_of, report, send, spot


async def test_a_closed_case_takes_no_more_duplicates(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    first = report(spot(3))
    await send(producer, dispatch, first)
    assert await cases.collect(outcome_of(first), count=1, within=10)
    closures_before = await closures_seen(dispatch)

    case_id = derived_id("case", first.report_id)
    closed = CaseClosed(
        case_id=case_id,
        occurred_at=datetime.now(UTC),
        actor_id="gc-someone",
        actor_role="grid_chief",
        holder_id="w-someone",
        close_by=datetime.now(UTC) + timedelta(days=1),
    )
    await produce(producer, dispatch, encode(closed, source="/gridloop/handling", event_id=uuid.uuid4()))
    deadline = asyncio.get_running_loop().time() + 20
    while await closures_seen(dispatch) == closures_before:
        assert asyncio.get_running_loop().time() < deadline, "the closure never reached the index"
        await asyncio.sleep(0.2)

    after = report(spot(3))
    await send(producer, dispatch, after)
    (opened,) = await cases.collect(outcome_of(after), count=1, within=10)
    assert isinstance(opened.data, CaseOpened)


async def closures_seen(dispatch: DispatchProcess) -> float:
    async with httpx.AsyncClient(base_url=dispatch.url) as client:
        text = (await client.get("/metrics")).text
    for line in text.splitlines():
        if line.startswith("gridloop_dispatch_case_closures_total "):
            return float(line.split()[1])
    return 0.0
