"""The case-event handler over in-memory fakes of its ports: what it stores, what it publishes and when,
batched per consumed batch or event by event, and the deadline sweep through it."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scoring.config import load_rubric
from services.scoring.domain import NO_CASES, Key, Subject, assess, count, parse_period
from services.scoring.domain.folding import CityRules
from services.scoring.handlers import CaseEventHandler
from services.scoring.sweep import DeadlineSweep
from shared.consuming import PoisonEvent
from shared.events import Envelope, Event, decode, derived_id
from shared.events.cases import CaseEvent
from shared.settings import REPO_ROOT
from tests.builders import report_submitted
from tests.builders.histories import case_history, interleave, voided_report
from tests.unit.scoring.builders import CASE, accepted, assigned, closed, opened, resolved, voided
from tests.unit.scoring.fakes import (
    FakeAnalysis,
    FakeOutbox,
    FakePool,
    FakeStore,
    SteppingClock,
    a_counter,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
RUBRIC = load_rubric(REPO_ROOT / "city" / "rubric.yaml")
CONN = object()  # the fakes take the consumer's connection and leave it alone
LI = Subject("grid_worker", "worker-li")


@dataclass
class Scoring:
    handler: CaseEventHandler
    store: FakeStore
    outbox: FakeOutbox
    analysis: FakeAnalysis
    clock: SteppingClock
    sent: int = 0

    async def send(self, event: Event) -> str:
        """One event, as the consumer hands it over after its inbox row."""
        self.sent += 1
        envelope = Envelope(
            id=str(derived_id("unit", self.sent)),
            source="/test",
            type=event.event_type,
            time=self.clock.now,
            data=event,
        )
        return await self.handler(CONN, envelope)

    async def send_batch(self, events: Iterable[Event]) -> list[str]:
        """Events of one consumed batch; poison is refused alone, as the consumer's savepoint does."""
        outcomes = []
        async with self.handler.batch(CONN):
            for event in events:
                try:
                    outcomes.append(await self.send(event))
                except PoisonEvent:
                    outcomes.append("poison")
        return outcomes

    def published(self) -> list[tuple[str, str, str]]:
        """(subject type, subject id, period) of every assessment update queued, in order."""
        updates = [decode(r.headers, r.value).data for r in self.outbox.records]
        return [(u.subject_type, u.subject_id, u.period) for u in updates]  # type: ignore[attr-defined]


def scoring(*, batched: bool = True) -> Scoring:
    store, outbox, analysis, clock = FakeStore(), FakeOutbox(), FakeAnalysis(), SteppingClock()
    handler = CaseEventHandler(
        repository=store,
        outbox=outbox,
        timezone=SHANGHAI,
        rubric=RUBRIC,
        city=CityRules(service_minutes={"people.elderly_alone_help": 120}),
        results_updated=a_counter(),
        clock=clock,
        batched=batched,
        analysis=analysis,
    )
    return Scoring(handler, store, outbox, analysis, clock)


def a_history(seed: int, cases: int = 25) -> list[Event]:
    rng = random.Random(seed)
    histories = [case_history(rng, n, f"unit-{seed}") for n in range(cases)]
    return interleave(rng, histories + [[voided_report(rng, n, f"unit-{seed}")] for n in range(cases // 10)])


def assert_results_equal_a_count_from_scratch(store: FakeStore) -> dict[Key, object]:
    expected = count(store.facts.values(), SHANGHAI)
    assert store.counters == expected
    for key, counters in expected.items():
        result, assessment = store.results[key], assess(counters, RUBRIC)
        assert (result.counters, result.score, result.indicators) == (
            counters,
            assessment.score,
            assessment.indicators,
        )
    return dict(expected)


@pytest.mark.parametrize("batch", [1, 20], ids=["batches-of-one", "batches-of-20"])
async def test_batched_results_equal_a_count_from_scratch_before_and_after_the_sweep(batch: int):
    service, stream = scoring(), a_history(seed=batch)
    for start in range(0, len(stream), batch):
        await service.send_batch(stream[start : start + batch])
    assert_results_equal_a_count_from_scratch(service.store)

    sweep = DeadlineSweep(
        pool=FakePool(), repository=service.store, handler=service.handler, interval_seconds=1
    )
    assert await sweep.once(datetime(2027, 3, 1, tzinfo=UTC)) > 0  # cases left open became overdue
    results = assert_results_equal_a_count_from_scratch(service.store)
    overdue = sum(c.overdue_not_handled for (s, p), c in results.items() if s.subject_type == "grid")  # type: ignore[attr-defined]
    assert overdue > 0


async def test_results_outside_a_batch_equal_those_of_batches():
    stream = a_history(seed=11)
    one_by_one, batched = scoring(batched=False), scoring()
    for event in stream:
        await one_by_one.send(event)
    await batched.send_batch(stream)
    assert one_by_one.store.counters == batched.store.counters
    assert len(one_by_one.outbox.records) > len(batched.outbox.records)


async def test_a_batch_publishes_each_result_it_moves_once():
    service = scoring()
    await service.send_batch([opened(), assigned(), accepted(), resolved(), closed()])
    published = service.published()
    assert len(published) == len(set(published))
    assert ("grid_worker", "worker-li", "2026-11") in published
    assert {(s, i, p) for s, i, p in published} == {
        (k[0].subject_type, k[0].subject_id, str(k[1])) for k in service.store.counters
    }


async def test_a_result_moved_and_moved_back_within_a_batch_publishes_nothing():
    service = scoring()
    await service.send_batch([opened(), assigned(assignee_id="worker-li")])
    before, queued = dict(service.store.counters), len(service.outbox.records)
    await service.send_batch(
        [
            assigned(assignee_id="worker-zhao", at_="2026-11-10T02:00"),
            assigned(assignee_id="worker-li", at_="2026-11-10T03:00"),
        ]
    )
    assert service.store.counters == before
    assert len(service.outbox.records) == queued


async def test_a_result_nothing_counts_in_any_more_is_deleted_and_published_with_zero_counters():
    service = scoring()
    await service.send_batch([opened(), assigned(assignee_id="worker-li")])
    await service.send_batch([assigned(assignee_id="worker-zhao", at_="2026-11-10T04:00")])
    assert not [key for key in service.store.counters if key[0] == LI]
    updates = [decode(r.headers, r.value).data for r in service.outbox.records[-6:]]
    li = [u for u in updates if u.subject_id == "worker-li"]  # type: ignore[attr-defined]
    assert [u.counters for u in li] == [NO_CASES] * 3  # type: ignore[attr-defined]


async def test_an_event_about_a_case_never_opened_is_poison_and_leaves_the_batch_unharmed():
    service = scoring()
    outcomes = await service.send_batch([opened(), resolved(case_id=derived_id("never-opened")), assigned()])
    assert outcomes == ["processed", "poison", "processed"]
    assert list(service.store.facts) == [CASE]
    assert service.store.facts[CASE].holder_id == "worker-li"  # type: ignore[union-attr]


async def test_an_event_that_changes_nothing_is_ignored_and_publishes_nothing():
    service = scoring()
    await service.send_batch([opened(), assigned()])
    queued = len(service.outbox.records)
    assert await service.send_batch([opened()]) == ["ignored"]  # a case opens once
    assert await service.send_batch([report_submitted()]) == ["ignored"]  # not about a case
    assert len(service.outbox.records) == queued


async def test_analysis_sees_every_case_event_and_no_voided_report():
    service = scoring()
    events: list[Event] = [opened(), assigned(), voided(), resolved()]
    await service.send_batch(events)
    assert service.analysis.events == [e for e in events if isinstance(e, CaseEvent)]


async def test_results_are_stamped_with_the_injected_clock():
    service = scoring()
    await service.send_batch([opened(), assigned()])
    assert {r.computed_at for r in service.store.results.values()} == {service.clock.now}
    service.clock.advance(timedelta(hours=1))
    await service.send_batch([resolved()])
    assert service.store.results[(LI, parse_period("2026-11"))].computed_at == service.clock.now


async def test_a_replay_in_the_same_batches_publishes_the_same_updates():
    stream = a_history(seed=5, cases=15)
    first, second = scoring(), scoring()
    for service in (first, second):
        for start in range(0, len(stream), 10):
            await service.send_batch(stream[start : start + 10])
    assert [r.event_id for r in first.outbox.records] == [r.event_id for r in second.outbox.records]


async def test_the_sweep_counts_a_passed_handling_deadline_once():
    service = scoring()
    await service.send_batch([opened(), assigned()])  # to be handled by 20 November, 09:00 UTC
    november, queued = (LI, parse_period("2026-11")), len(service.outbox.records)

    await service.handler.sweep(CONN, CASE, datetime(2026, 11, 20, 8, tzinfo=UTC))
    assert service.store.counters[november].overdue_not_handled == 0
    assert len(service.outbox.records) == queued

    assert await service.handler.sweep(CONN, CASE, datetime(2026, 11, 20, 10, tzinfo=UTC))
    assert service.store.counters[november].overdue_not_handled == 1
    assert len(service.outbox.records) > queued
    assert await service.store.due_for_sweep(CONN, datetime(2027, 1, 1, tzinfo=UTC), 10) == []

    queued = len(service.outbox.records)
    await service.handler.sweep(CONN, CASE, datetime(2026, 11, 21, tzinfo=UTC))
    assert service.store.counters[november].overdue_not_handled == 1
    assert len(service.outbox.records) == queued


async def test_the_sweep_leaves_voided_reports_and_unknown_cases_alone():
    service = scoring()
    report = voided()
    await service.send_batch([report])
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert not await service.handler.sweep(CONN, report.report_id, now)
    assert not await service.handler.sweep(CONN, CASE, now)


async def test_a_sweep_pass_goes_through_every_due_case_however_many_batches_it_takes():
    service = scoring()
    cases = [derived_id("swept", n) for n in range(5)]
    await service.send_batch(
        [e for case_id in cases for e in (opened(case_id=case_id), assigned(case_id=case_id))]
    )
    sweep = DeadlineSweep(
        pool=FakePool(), repository=service.store, handler=service.handler, interval_seconds=1, batch=2
    )
    assert await sweep.once(datetime(2026, 12, 1, tzinfo=UTC)) == 5
    assert await sweep.once(datetime(2026, 12, 2, tzinfo=UTC)) == 0
