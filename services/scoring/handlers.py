"""Case events (and the deadline sweep) change a case's fact; the results it moves are updated and published.

Runs inside the consumer's transaction (after its inbox row), so the fact, what the case adds to each
result, the results and the outbox rows commit together with the event's dedupe record, or not at all.

Inside a consumed batch (``batch(conn)``, which the consumer enters around each partition batch) the
facts, the contributions and the net change of every result are staged in memory and written once at the
end of the batch, still inside its transaction: a result that twenty events of the batch move is added
to, re-assessed and published once, not twenty times. The staging holds only what events that succeeded
did: a poison event is refused before it stages anything, and any other failure rolls the whole batch
back, staging and all. Outside a batch (the deadline sweep, tests) every change is written at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import Counter

from services.scoring.domain import (
    NO_CASES,
    CaseFact,
    Key,
    Period,
    Rubric,
    Subject,
    UnknownCase,
    advance_clock,
    assess,
    changes,
    contributions,
)
from services.scoring.domain.folding import CityRules, fold
from services.scoring.domain.reports import VoidedReport, fact_id
from services.scoring.ports import CaseAnalysis, Clock, Outbox, Store, utc_now
from services.scoring.publisher import Cause, assessment_record
from services.scoring.repository import StoredResult
from shared.consuming import Outcome, PoisonEvent
from shared.events import Envelope
from shared.events.assessments import AssessmentCounters
from shared.events.cases import CaseEvent
from shared.events.triage import ReportVoided


@dataclass
class _Staged:
    """One consumed batch's writes, held until its end."""

    facts: dict[UUID, CaseFact | VoidedReport] = field(default_factory=dict)
    parts: dict[UUID, dict[Key, AssessmentCounters]] = field(default_factory=dict)
    moved: dict[Key, list[int]] = field(default_factory=dict)
    # The last event that moved each result: part of the id of the update it publishes.
    causes: dict[Key, Cause] = field(default_factory=dict)


class CaseEventHandler:
    def __init__(
        self,
        *,
        repository: Store,
        outbox: Outbox,
        timezone: ZoneInfo,
        rubric: Rubric,
        city: CityRules,
        results_updated: Counter,
        clock: Clock = utc_now,
        batched: bool = True,
        analysis: CaseAnalysis | None = None,
    ) -> None:
        self._repository = repository
        self._outbox = outbox
        self._clock = clock
        self._tz = timezone
        self._rubric = rubric
        self._city = city
        self._results_updated = results_updated
        # False: every event writes and re-assesses at once (the bench compares both ways).
        self._batched = batched
        self._analysis = analysis
        self._staged: dict[asyncpg.Connection, _Staged] = {}

    @asynccontextmanager
    async def batch(self, conn: asyncpg.Connection) -> AsyncIterator[None]:
        if not self._batched:
            yield
            return
        staged = self._staged[conn] = _Staged()
        try:
            yield
            await self._flush(conn, staged)
        finally:
            self._staged.pop(conn, None)

    async def _load(self, conn: asyncpg.Connection, key: UUID) -> CaseFact | VoidedReport | None:
        staged = self._staged.get(conn)
        if staged is not None and key in staged.facts:
            return staged.facts[key]  # its row is already locked by this transaction
        return await self._repository.load_fact(conn, key)

    async def __call__(self, conn: asyncpg.Connection, envelope: Envelope) -> Outcome:
        event = envelope.data
        if not isinstance(event, CaseEvent | ReportVoided):
            return "ignored"
        before = await self._load(conn, fact_id(event))
        try:
            after = fold(before, event, self._city)
        except UnknownCase as exc:
            raise PoisonEvent(str(exc)) from exc
        if self._analysis is not None and isinstance(event, CaseEvent):
            await self._analysis.on_event(conn, event)
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
        cause: Cause,
    ) -> None:
        old = contributions(before, self._tz) if before is not None else {}
        new = contributions(after, self._tz)
        staged = self._staged.get(conn)
        if staged is None:
            await self._repository.save_facts(conn, [after])
            if old != new:
                await self._repository.replace_contributions(conn, {after.fact_id: new})
                await self.move(conn, changes(old, new), cause=cause)
            return
        staged.facts[after.fact_id] = after
        if old != new:
            staged.parts[after.fact_id] = new
            for key, difference in changes(old, new).items():
                total = staged.moved.setdefault(key, [0] * len(difference))
                for i, n in enumerate(difference):
                    total[i] += n
                staged.causes[key] = cause

    async def _flush(self, conn: asyncpg.Connection, staged: _Staged) -> None:
        await self._repository.save_facts(conn, list(staged.facts.values()))
        await self._repository.replace_contributions(conn, staged.parts)
        # A result moved and moved back within the batch has nothing new to say.
        moved = {key: tuple(total) for key, total in staged.moved.items() if any(total)}
        if moved:
            await self.move(conn, moved, cause=staged.causes)

    async def move(
        self,
        conn: asyncpg.Connection,
        moved: dict[Key, tuple[int, ...]],
        *,
        cause: Cause | Mapping[Key, Cause],
    ) -> None:
        """Add each delta to its result, re-assess the results it moved, and queue them for publishing."""
        now = self._clock()
        counted = await self._repository.add_to_results(
            conn, moved, rubric_version=self._rubric.version, at=now
        )
        results = [self.assessed(subject, period, counters, now) for subject, period, counters in counted]
        gone = [
            (r.subject, period)
            for r, (_, period, _) in zip(results, counted, strict=True)
            if r.counters == NO_CASES
        ]
        # Nothing counts there any more (the case moved to another worker): no row, but say so.
        await self._repository.delete_results(conn, gone)
        await self._repository.save_assessments(conn, [r for r in results if r.counters != NO_CASES])
        causes = [
            cause[(subject, period)] if isinstance(cause, Mapping) else cause
            for subject, period, _ in counted
        ]
        records = [assessment_record(r, cause=c) for r, c in zip(results, causes, strict=True)]
        await self._outbox.put(conn, records)
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
