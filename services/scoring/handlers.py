"""Case events (and the deadline sweep) change a case's fact; the results it moves are updated and published.

Runs inside the consumer's transaction (after its inbox row), so the fact, what the case adds to each
result, the results and the outbox rows commit together with the event's dedupe record, or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import Counter

from services.scoring.domain import (
    NO_CASES,
    CaseFact,
    Period,
    Rubric,
    Subject,
    UnknownCase,
    advance_clock,
    assess,
    changes,
    contributions,
)
from services.scoring.domain.counters import as_tuple
from services.scoring.domain.facts import VoidedReport, fact_id
from services.scoring.domain.folding import CityRules, fold
from services.scoring.repository import Repository, StoredResult
from shared.consuming import Outcome, PoisonEvent
from shared.events import Envelope, KafkaRecord, derived_id, encode
from shared.events.assessments import AssessmentCounters, AssessmentUpdated
from shared.events.cases import CaseEvent
from shared.events.triage import ReportVoided
from shared.outbox import enqueue_many

SOURCE = "/gridloop/scoring"


class CaseEventHandler:
    def __init__(
        self,
        *,
        repository: Repository,
        schema: str,
        timezone: ZoneInfo,
        rubric: Rubric,
        city: CityRules,
        results_updated: Counter,
    ) -> None:
        self._repository = repository
        self._schema = schema
        self._tz = timezone
        self._rubric = rubric
        self._city = city
        self._results_updated = results_updated

    async def __call__(self, conn: asyncpg.Connection, envelope: Envelope) -> Outcome:
        event = envelope.data
        if not isinstance(event, CaseEvent | ReportVoided):
            return "ignored"
        before = await self._repository.load_fact(conn, fact_id(event))
        try:
            after = fold(before, event, self._city)
        except UnknownCase as exc:
            raise PoisonEvent(str(exc)) from exc
        if after == before:
            return "ignored"
        await self.apply(conn, before, after, cause=(envelope.source, envelope.id))
        return "processed"

    async def sweep(self, conn: asyncpg.Connection, case_id: UUID, now: datetime) -> bool:
        """Time has passed for one case without an event: count its handling deadline as gone by."""
        before = await self._repository.load_fact(conn, case_id)
        if not isinstance(before, CaseFact):
            return False
        after = advance_clock(before, now)
        if after == before:
            return False
        await self.apply(conn, before, after, cause=("deadline-sweep", str(before.resolve_by)))
        return True

    async def apply(
        self,
        conn: asyncpg.Connection,
        before: CaseFact | VoidedReport | None,
        after: CaseFact | VoidedReport,
        *,
        cause: tuple[str, str],
    ) -> None:
        old = contributions(before, self._tz) if before is not None else {}
        new = contributions(after, self._tz)
        await self._repository.save_fact(conn, after)
        if old == new:
            return
        await self._repository.replace_contributions(conn, after.fact_id, new)
        now = datetime.now(UTC)
        moved = await self._repository.add_to_results(
            conn, changes(old, new), rubric_version=self._rubric.version, at=now
        )
        results = [self.assessed(subject, period, counters, now) for subject, period, counters in moved]
        gone = [
            (r.subject, period)
            for r, (_, period, _) in zip(results, moved, strict=True)
            if r.counters == NO_CASES
        ]
        # Nothing counts there any more (the case moved to another worker): no row, but say so.
        await self._repository.delete_results(conn, gone)
        await self._repository.save_assessments(conn, [r for r in results if r.counters != NO_CASES])
        await enqueue_many(conn, self._schema, [assessment_record(r, cause=cause) for r in results])
        for result in results:
            self._results_updated.labels(result.subject.subject_type).inc()

    def assessed(
        self, subject: Subject, period: Period, counters: AssessmentCounters, at: datetime
    ) -> StoredResult:
        assessment = assess(counters, self._rubric)
        rates = {i.name: i.value for i in assessment.indicators}
        return StoredResult(
            subject=subject,
            period=str(period),
            period_kind=period.kind,
            counters=counters,
            indicators=assessment.indicators,
            closure_rate=rates.get("closure_rate"),
            on_time_closure_rate=rates.get("on_time_closure_rate"),
            score=assessment.score,
            grade=assessment.grade.grade if assessment.grade else None,
            rubric_version=self._rubric.version,
            computed_at=at,
        )


def assessment_record(result: StoredResult, *, cause: tuple[str, str]) -> KafkaRecord:
    event = AssessmentUpdated(
        subject_type=result.subject.subject_type,
        subject_id=result.subject.subject_id,
        period=result.period,
        period_kind=result.period_kind,
        counters=result.counters,
        closure_rate=result.closure_rate,
        on_time_closure_rate=result.on_time_closure_rate,
        indicators=result.indicators,
        score=result.score,
        grade=result.grade,
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
        *as_tuple(result.counters),
        *cause,
    )
    return encode(event, source=SOURCE, event_id=event_id, time=result.computed_at)
