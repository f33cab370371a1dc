"""The one registry of Kafka topics: name, partition key, and the events each carries.

The AsyncAPI document (docs/asyncapi.yaml) is generated from this registry and a test keeps it in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.analysis import HotspotDetected, RecurrenceDetected
from shared.events.assessments import AssessmentUpdated
from shared.events.base import Event
from shared.events.cases import (
    CaseAccepted,
    CaseAssigned,
    CaseCallbackRecorded,
    CaseClosed,
    CaseConsultationDecided,
    CaseConsultationStarted,
    CaseEscalated,
    CaseOpened,
    CaseOpinionRecorded,
    CaseReassigned,
    CaseRequestDecided,
    CaseRequestMade,
    CaseResolved,
    CaseResumed,
    CaseStarted,
    CaseSupervised,
    CaseVerificationFailed,
    CaseVerified,
)
from shared.events.dead_letters import DeadLetterRecorded
from shared.events.reports import ReportSubmitted
from shared.events.triage import ReportMergedIntoCase, ReportVoided


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    description: str
    events: tuple[type[Event], ...]


REPORTS = Topic(
    name="gridloop.reports",
    key="H3 cell (resolution 6) of the report's WGS-84 location; for a report with only an address, the "
    "cell of its community (gazetteer), else its report id",
    description="Reports accepted by intake, durably stored before the grid app got its 202.",
    events=(ReportSubmitted,),
)
CASE_EVENTS = Topic(
    name="gridloop.case-events",
    key="case id (report id for ReportVoided, which has no case)",
    description="Every change in a case's life: opened and assigned by dispatch, the rest by handling; "
    "and dispatch's other triage outcomes: a report merged into an open case, or voided.",
    events=(
        CaseOpened,
        CaseAssigned,
        CaseAccepted,
        CaseResolved,
        CaseVerified,
        CaseVerificationFailed,
        CaseClosed,
        # handling's tiered-handling steps
        CaseStarted,
        CaseRequestMade,
        CaseRequestDecided,
        CaseResumed,
        CaseReassigned,
        CaseEscalated,
        CaseConsultationStarted,
        CaseOpinionRecorded,
        CaseConsultationDecided,
        CaseCallbackRecorded,
        CaseSupervised,
        ReportMergedIntoCase,
        ReportVoided,
    ),
)
ASSESSMENTS = Topic(
    name="gridloop.assessments",
    key="subject as '<subject_type>:<subject_id>'",
    description="Assessment results per subject and period, republished whenever they change.",
    events=(AssessmentUpdated,),
)
ALERTS = Topic(
    name="gridloop.alerts",
    key="grid id",
    description="Analysis alerts from scoring: a category spiking in a grid against its own baseline "
    "(hotspot), a problem recurring near a recently closed case of the same category.",
    events=(HotspotDetected, RecurrenceDetected),
)
DEAD_LETTERS = Topic(
    name="gridloop.dead-letters",
    key="name of the topic the message came from",
    description="Messages a consumer could not decode or validate, with the error and original bytes.",
    events=(DeadLetterRecorded,),
)

ALL_TOPICS: tuple[Topic, ...] = (REPORTS, CASE_EVENTS, ASSESSMENTS, ALERTS, DEAD_LETTERS)

EVENT_TYPES: dict[str, type[Event]] = {
    event.event_type: event for topic in ALL_TOPICS for event in topic.events
}
TOPIC_OF: dict[type[Event], Topic] = {event: topic for topic in ALL_TOPICS for event in topic.events}
