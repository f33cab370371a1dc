"""A duplicate report joining a case: one more timeline entry crediting its reporter, nothing else.

The case keeps its state, holder and deadlines; the entry names the reporter (actor) and the report, so
the flow record shows everyone who reported the matter. A merge is never a second case.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.handling.domain.model import Annotation, Case, TimelineEntry
from shared.events.triage import ReportMergedIntoCase


def credit_merged_report(case: Case, merged: ReportMergedIntoCase, *, event_id: UUID, now: datetime) -> Case:
    """The case with a 'merge' entry for the report; unchanged if this event is already in its timeline."""
    if any(entry.event_id == event_id for entry in case.history):
        return case
    entry = TimelineEntry(
        seq=case.version + 1,
        event_id=event_id,
        action=Annotation.MERGE,
        actor_id=merged.reporter_id,
        actor_role=merged.source_type,
        from_state=case.state,
        to_state=case.state,
        note=f"report {merged.report_id} merged ({merged.distance_m:.0f} m away): {merged.description}"[
            :2000
        ],
        at=now,
    )
    return case.model_copy(update={"history": (*case.history, entry), "updated_at": now})
