"""Submitting a report over an in-memory publisher and a fixed clock: what is published, under which id
and key, what is counted, and what a refusal or a broker that is away leaves behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import Counter

from services.intake.domain.submission import Rejection
from services.intake.handlers import Intake, submit_report
from services.intake.metrics import intake_metrics
from services.intake.ports import BrokerUnavailable
from shared.events import decode
from shared.events.reports import ReportSubmitted
from shared.observability import ServiceMetrics
from shared.topics import REPORTS
from tests.unit.intake.fakes import FakePublisher
from tests.unit.intake.submissions import CITY, LIMITS, NOW, RESIDENT_APP, submission


def intake() -> Intake:
    metrics = intake_metrics(ServiceMetrics("intake"))
    return Intake(city=CITY, publisher=FakePublisher(), limits=LIMITS, metrics=metrics, clock=lambda: NOW)


def published(service: Intake) -> list[Any]:
    assert isinstance(service.publisher, FakePublisher)
    return service.publisher.records


def counted(service: Intake, metric: str, **labels: str) -> float:
    """A counter's value as ``/metrics`` would show it (0 when never counted)."""
    counter: Counter = getattr(service.metrics, metric)
    return sum(
        s.value
        for m in counter.collect()
        for s in m.samples
        if s.labels == labels and s.name.endswith("_total")
    )


async def test_an_accepted_report_is_published_under_its_own_id_keyed_by_its_cell():
    service, s = intake(), submission()

    report = await submit_report(service, s, RESIDENT_APP)

    (record,) = published(service)
    envelope = decode(record.headers, record.value)
    assert (record.topic, record.event_id, envelope.id) == (REPORTS.name, str(s.report_id), str(s.report_id))
    assert record.key == report.cell.encode()  # type: ignore[union-attr]
    assert isinstance(envelope.data, ReportSubmitted)
    assert envelope.data == report
    assert counted(service, "accepted", source_type="resident") == 1


async def test_a_report_is_stamped_and_judged_by_the_injected_clock():
    service = intake()

    report = await submit_report(service, submission(), RESIDENT_APP)
    assert report.submitted_at == NOW

    later = (
        NOW + timedelta(minutes=10)
    ).isoformat()  # in the future of intake's clock, not of the wall clock
    with pytest.raises(Rejection):
        await submit_report(service, submission(occurred_at=later), RESIDENT_APP)


async def test_a_retry_is_the_same_event():
    service, s = intake(), submission()
    await submit_report(service, s, RESIDENT_APP)
    await submit_report(service, s, RESIDENT_APP)
    first, second = published(service)
    assert (first.event_id, first.key, first.value) == (second.event_id, second.key, second.value)


async def test_a_refused_report_is_counted_by_its_reason_and_never_published():
    service = intake()
    with pytest.raises(Rejection) as refused:
        await submit_report(service, submission(category="no.such"), RESIDENT_APP)
    assert refused.value.code == "unknown_category"
    assert published(service) == []
    assert counted(service, "rejected", reason="unknown_category") == 1


async def test_a_broker_that_is_away_is_raised_and_counted_not_accepted():
    service = intake()
    assert isinstance(service.publisher, FakePublisher)
    service.publisher.down = True
    with pytest.raises(BrokerUnavailable):
        await submit_report(service, submission(), RESIDENT_APP)
    assert counted(service, "rejected", reason="broker_unavailable") == 1
    assert counted(service, "accepted", source_type="resident") == 0
