"""Kafka out, through the transactional outbox: what scoring publishes is queued in the same transaction
as the change it reports, and ``shared.outbox``'s relay sends it once that commits."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.scoring.domain.counters import as_tuple
from services.scoring.repository import StoredResult
from shared.events import KafkaRecord, derived_id, encode
from shared.events.analysis import HotspotDetected, RecurrenceDetected
from shared.events.assessments import AssessmentUpdated
from shared.outbox import enqueue_many

SOURCE = "/gridloop/scoring"
ANALYSIS_SOURCE = "/gridloop/scoring/analysis"
# The event that moved a result, as (source, id): part of the id of the update it publishes.
Cause = tuple[str, str]


class Outbox:
    """The outbox table of scoring's schema."""

    def __init__(self, schema: str) -> None:
        self._schema = schema

    async def put(self, conn: asyncpg.Connection, records: list[KafkaRecord]) -> None:
        await enqueue_many(conn, self._schema, records)


def assessment_record(
    result: StoredResult,
    *,
    cause: Cause = ("", ""),
    event_id: UUID | None = None,
    final: bool = False,
) -> KafkaRecord:
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
        final=final,
        computed_at=result.computed_at,
    )
    # Deterministic, so a replay of the case events yields the same ids. The cause is part of it:
    # counters that go 3 → 2 → 3 are two different updates, and the second 3 must not be deduped away.
    event_id = event_id or derived_id(
        "assessment",
        result.subject.subject_type,
        result.subject.subject_id,
        result.period,
        result.rubric_version,
        *as_tuple(result.counters),
        *cause,
    )
    return encode(event, source=SOURCE, event_id=event_id, time=result.computed_at)


def alert_record(alert: HotspotDetected | RecurrenceDetected) -> KafkaRecord:
    """An analysis alert, its id derived from what it is about: one alert per hot spell (grid, category
    and the spell's end), one per recurring case, whichever instance or replay raises it."""
    if isinstance(alert, HotspotDetected):
        event_id = derived_id("hotspot", alert.grid_id, alert.category, alert.window_end.isoformat())
    else:
        event_id = derived_id("recurrence", alert.case_id)
    return encode(alert, source=ANALYSIS_SOURCE, event_id=event_id)
