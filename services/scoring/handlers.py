"""One handler for case events: update the case's fact, recount the results it moves, publish changes.

Runs inside the consumer's transaction (after its inbox row), so the fact, the results and the outbox
rows commit together with the event's dedupe record, or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import Counter

from services.scoring.domain import (
    NO_CASES,
    Period,
    Subject,
    UnknownCase,
    affected_results,
    apply_event,
    indicators_of,
    subjects_of,
)
from services.scoring.repository import Repository, StoredResult
from shared.consuming import Outcome, PoisonEvent
from shared.events import Envelope, KafkaRecord, derived_id, encode
from shared.events.assessments import AssessmentUpdated
from shared.events.cases import CaseEvent
from shared.outbox import enqueue

SOURCE = "/gridloop/scoring"


class CaseEventHandler:
    def __init__(
        self,
        *,
        repository: Repository,
        schema: str,
        timezone: ZoneInfo,
        rubric_version: str,
        results_updated: Counter,
    ) -> None:
        self._repository = repository
        self._schema = schema
        self._tz = timezone
        self._rubric_version = rubric_version
        self._results_updated = results_updated

    async def __call__(self, conn: asyncpg.Connection, envelope: Envelope) -> Outcome:
        event = envelope.data
        if not isinstance(event, CaseEvent):
            return "ignored"
        before = await self._repository.load_fact(conn, event.case_id)
        try:
            after = apply_event(before, event)
        except UnknownCase as exc:
            raise PoisonEvent(str(exc)) from exc
        if after == before:
            return "ignored"
        await self._repository.save_fact(conn, after, subjects_of(after))
        affected = sorted(affected_results(before, after, self._tz))
        await self._repository.lock_results(conn, affected)
        for subject, period in affected:
            await self._recount(conn, subject, period, cause=envelope)
        return "processed"

    async def _recount(
        self, conn: asyncpg.Connection, subject: Subject, period: Period, *, cause: Envelope
    ) -> None:
        counters = await self._repository.count(conn, subject, period, period.bounds(self._tz))
        stored = await self._repository.load_result(conn, subject, period)
        # What is stored (or its absence, for no cases) already says this: nothing to publish.
        current = (
            (NO_CASES, self._rubric_version) if stored is None else (stored.counters, stored.rubric_version)
        )
        if current == (counters, self._rubric_version):
            return
        indicators = indicators_of(counters)
        result = StoredResult(
            subject=subject,
            period=str(period),
            counters=counters,
            closure_rate=indicators.closure_rate,
            on_time_closure_rate=indicators.on_time_closure_rate,
            rubric_version=self._rubric_version,
            computed_at=datetime.now(UTC),
        )
        if counters == NO_CASES:
            # Nothing counts here any more (the case moved to another worker): no row, but say so.
            await self._repository.delete_result(conn, subject, period)
        else:
            await self._repository.save_result(conn, result)
        await enqueue(conn, self._schema, assessment_record(result, cause=cause))
        self._results_updated.labels(subject.subject_type).inc()


def assessment_record(result: StoredResult, *, cause: Envelope) -> KafkaRecord:
    counters = result.counters
    event = AssessmentUpdated(
        subject_type=result.subject.subject_type,
        subject_id=result.subject.subject_id,
        period=result.period,
        counters=counters,
        closure_rate=result.closure_rate,
        on_time_closure_rate=result.on_time_closure_rate,
        rubric_version=result.rubric_version,
        computed_at=result.computed_at,
    )
    # Deterministic, so a replay of the case events yields the same ids. The cause is part of it:
    # counters that go 3 → 2 → 3 are two different updates, and the second 3 must not be deduped away.
    event_id = derived_id(
        "assessment",
        result.subject.subject_type,
        result.subject.subject_id,
        result.period,
        result.rubric_version,
        counters.due_to_close,
        counters.closed,
        counters.closed_on_time,
        cause.source,
        cause.id,
    )
    return encode(event, source=SOURCE, event_id=event_id, time=result.computed_at)
