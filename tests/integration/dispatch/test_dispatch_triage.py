"""Triage against the real broker, with `python -m services.dispatch`: a duplicate joins the open case, a
different category at the same spot does not, spam is voided with an event; the index survives a restart
and a SIGKILL (rebuilt from its changelog). Closures: test_dispatch_closures.py."""

from __future__ import annotations

import signal
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.events import derived_id
from shared.events.cases import CaseOpened
from shared.events.triage import ReportMergedIntoCase, ReportVoided
from shared.topics import CASE_EVENTS
from tests.integration.dispatch.conftest import DispatchProcess
from tests.integration.dispatch.triage_reports import outcome_of, report, send, spot


async def test_a_duplicate_joins_the_open_case_and_another_category_opens_its_own(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    first = report(spot(0))
    again = report(spot(0), reporter_id="resident-second")
    lights = report(spot(0), category="public_facility.streetlight_out")

    await send(producer, dispatch, first, again, lights)

    found = await cases.collect(lambda e: outcome_of(again)(e) or outcome_of(lights)(e), count=2, within=10)
    (merged,) = [e for e in found if outcome_of(again)(e)]
    (opened,) = [e for e in found if outcome_of(lights)(e)]
    assert isinstance(merged.data, ReportMergedIntoCase)
    assert merged.data.case_id == derived_id("case", first.report_id)
    assert (merged.data.reporter_id, merged.data.case_report_id) == ("resident-second", first.report_id)
    assert isinstance(opened.data, CaseOpened)


async def test_spam_is_voided_with_its_reason_never_dropped(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    spam = report(spot(1), description="刷单返利，加微信领红包")

    await send(producer, dispatch, spam)

    (voided,) = await cases.collect(outcome_of(spam), count=1, within=10)
    assert isinstance(voided.data, ReportVoided)
    assert voided.data.reason == "blocked_words"


async def test_the_index_survives_a_restart_and_a_kill(
    dispatch: DispatchProcess, producer: AIOKafkaProducer, tail: Any
) -> None:
    cases = await tail(dispatch.topic(CASE_EVENTS.name))
    first = report(spot(2))
    await send(producer, dispatch, first)
    assert await cases.collect(outcome_of(first), count=1, within=10)

    for stop in (signal.SIGTERM, signal.SIGKILL):
        await dispatch.stop(stop)
        await dispatch.start()
        again = report(spot(2))
        await send(producer, dispatch, again)
        (merged,) = await cases.collect(outcome_of(again), count=1, within=30)
        assert isinstance(merged.data, ReportMergedIntoCase), stop.name
        assert merged.data.case_id == derived_id("case", first.report_id)
