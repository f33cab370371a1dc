"""Reports with an address and no point, through the real broker: intake's rules make the event (keyed by
the community's cell, or by the report id when the gazetteer knows no community), dispatch opens a case in
the community the address names — assigned to its officer, with no grid and no point — or an unlocated
one for manual triage, counted as such; never a dead letter."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from services.intake.domain.submission import Limits, SubmitReport, accept_report
from shared.city import load_city
from shared.events import derived_id, encode
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.reports import ReportSubmitted
from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS
from tests.integration.dispatch.conftest import DispatchProcess, produce

CITY = load_city(REPO_ROOT / "city")
HOTLINE = next(app for app in CITY.apps if "hotline_12345" in app.source_types)
LIMITS = Limits(max_clock_skew=timedelta(minutes=5), max_report_age=timedelta(days=30), retry_after_seconds=5)
YULONG = "c-tinghu-wenfeng-yulong"


def hotline_report(address: str) -> ReportSubmitted:
    """What intake publishes for a 12345 call that gave only an address."""
    now = datetime.now(UTC)
    submission = SubmitReport.model_validate(
        {
            "report_id": str(uuid.uuid4()),
            "source_type": "hotline_12345",
            "reporter_id": f"caller-{uuid.uuid4().hex[:12]}",
            # Merges within 100 m: an address-only report must open its own case all the same.
            "category": "city_appearance.garbage_overflow",
            "description": "来电反映小区门口垃圾桶满溢",
            "address": address,
            "occurred_at": (now - timedelta(minutes=5)).isoformat(),
        }
    )
    return accept_report(submission, app=HOTLINE, city=CITY, limits=LIMITS, now=now)


async def unlocated_count(dispatch: DispatchProcess) -> float:
    async with httpx.AsyncClient(base_url=dispatch.url) as client:
        text = (await client.get("/metrics")).text
    found = re.search(r"^gridloop_dispatch_reports_unlocated_total (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_address_only_reports_open_cases_in_their_community_or_for_manual_triage(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    unlocated_before = await unlocated_count(dispatch)
    placed = [hotline_report("亭湖区毓龙西路18号"), hotline_report("毓龙社区东门")]
    unplaced = hotline_report("南京市鼓楼区中山路1号")
    assert placed[0].cell is not None
    assert placed[0].cell == placed[1].cell  # one community, one key
    assert unplaced.cell is None

    for submitted in (*placed, unplaced):
        await produce(producer, dispatch, encode(submitted, source="/gridloop/intake"))

    case_ids = {derived_id("case", r.report_id) for r in (*placed, unplaced)}
    found = await cases.collect(lambda e: getattr(e.data, "case_id", None) in case_ids, count=5, within=15)
    opened = {e.data.report_id: e.data for e in found if isinstance(e.data, CaseOpened)}
    assigned = {e.data.case_id: e.data for e in found if isinstance(e.data, CaseAssigned)}
    assert len(found) == 5, [e.type for e in found]
    for submitted in placed:  # two cases: without a point, nothing merges
        case = opened[submitted.report_id]
        assert (case.location, case.grid_id, case.community_id) == (None, None, YULONG)
        assert case.tier == "community"
        officer = assigned[case.case_id]
        assert (officer.assignee_role, officer.unit_id) == ("community_officer", YULONG)
        assert officer.grid_id is None
    manual = opened[unplaced.report_id]
    assert (manual.location, manual.community_id, manual.tier) == (None, None, "district")
    assert manual.case_id not in assigned
    assert await unlocated_count(dispatch) == unlocated_before + 1
