"""A report dispatch voided, kept as a fact of its own (keyed by the report id, which is never a case id:
dispatch derives case ids from report ids), and any event scoring counts applied to the fact it changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Discriminator, Tag, TypeAdapter

from services.scoring.domain.facts import CaseFact, UnknownCase
from services.scoring.domain.transitions import apply_event
from shared.events.cases import CaseEvent
from shared.events.triage import ReportVoided


class VoidedReport(BaseModel):
    """A report dispatch voided: never a case, but a report its reporter made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["voided_report"] = "voided_report"
    report_id: UUID
    source_type: str
    reporter_id: str
    at: AwareDatetime
    reason: str

    @property
    def fact_id(self) -> UUID:
        return self.report_id


def voided(event: ReportVoided) -> VoidedReport:
    return VoidedReport(
        report_id=event.report_id,
        source_type=event.source_type,
        reporter_id=event.reporter_id,
        at=event.occurred_at,
        reason=event.reason,
    )


def _kind(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return "voided_report" if kind == "voided_report" else "case"


# What scoring keeps per case (or per voided report), as stored: a case fact has no ``kind`` field.
Fact = Annotated[
    Annotated[CaseFact, Tag("case")] | Annotated[VoidedReport, Tag("voided_report")],
    Discriminator(_kind),
]
FACT = TypeAdapter[CaseFact | VoidedReport](Fact)


def sweep_at(fact: CaseFact | VoidedReport) -> datetime | None:
    """When the deadline sweep should next look at the fact: a case's handling deadline, until it is seen
    to pass unhandled (then the case counts as overdue and nothing more is due to happen by itself)."""
    if isinstance(fact, CaseFact) and fact.resolved_at is None and fact.clock <= fact.resolve_by:
        return fact.resolve_by
    return None


def fact_id(event: CaseEvent | ReportVoided) -> UUID:
    """The fact an event changes: its case's, or a voided report's own."""
    return event.report_id if isinstance(event, ReportVoided) else event.case_id


def apply(fact: CaseFact | VoidedReport | None, event: CaseEvent | ReportVoided) -> CaseFact | VoidedReport:
    """The fact after any event scoring counts: a case event, or a report voided (counted once)."""
    if isinstance(event, ReportVoided):
        return fact if fact is not None else voided(event)
    if isinstance(fact, VoidedReport):
        raise UnknownCase(f"{event.event_type} for {event.case_id}, which is a voided report")
    return apply_event(fact, event)
