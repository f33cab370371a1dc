"""Who each outcome of a case counts for.

Places (grid, community, street, district) take every outcome of the cases located in them. People
take what they were responsible for, and each stage has its own rule:

- handling (处置): whoever held the case when it was handled, or — when it was handled late or not at
  all — whoever held it when its handling deadline passed;
- closing (结案): the same, against the closing deadline;
- rework (返工): whoever held the case when the resolution that failed verification was made;
- extensions, deferrals, returns: whoever asked; callbacks: whoever the callback is about;
- reports: the reporter of each report that opened or joined the case (``reporter:<source>:<id>``), and
  a grid worker reporting on patrol as that grid worker too; volunteer service: whoever handled it.

A person counts as a grid worker when their role is ``grid_worker`` (or unknown: a holder a handling
event named that scoring never saw assigned), and for their department when they are a department
handler. One table per kind of subject (``PLACE_RULES``, ``PERSON_RULES``): a new kind is a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.scoring.domain.facts import CaseFact, Tenure, holder_at
from shared.events.assessments import SubjectType

GRID_WORKER_ROLES: frozenset[str | None] = frozenset({"grid_worker", None})


@dataclass(frozen=True, order=True)
class Subject:
    subject_type: SubjectType
    subject_id: str

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


PLACE_RULES: dict[SubjectType, Callable[[CaseFact], str | None]] = {
    "grid": lambda fact: fact.grid_id,
    "community": lambda fact: fact.community_id,
    "street": lambda fact: fact.street_id,
    "district": lambda fact: fact.district_id,
}

PERSON_RULES: dict[SubjectType, Callable[[Tenure], str | None]] = {
    "grid_worker": lambda tenure: tenure.holder_id if tenure.role in GRID_WORKER_ROLES else None,
    "department": lambda tenure: tenure.unit_id if tenure.role == "department_handler" else None,
}

# Bulletin order: people first, then places from the smallest up.
SUBJECT_TYPES: tuple[SubjectType, ...] = (
    "grid_worker",
    "grid",
    "community",
    "street",
    "district",
    "department",
    "reporter",
)


class InvalidSubjectType(ValueError):
    """Text that names no kind of subject; ``field`` is what the text was given as."""

    def __init__(self, text: str, field: str) -> None:
        super().__init__(f"{field} must be one of {', '.join(SUBJECT_TYPES)}, not {text!r}")
        self.field = field


def parse_subject_type(text: str, *, field: str = "subject_type") -> SubjectType:
    for known in SUBJECT_TYPES:
        if text == known:
            return known
    raise InvalidSubjectType(text, field)


def reporter_subjects(source_type: str, reporter_id: str) -> frozenset[Subject]:
    """A report counts for its reporter; a grid worker's patrol report also for the grid worker."""
    subjects = {Subject("reporter", f"{source_type}:{reporter_id}")}
    if source_type == "grid_worker":
        subjects.add(Subject("grid_worker", reporter_id))
    return frozenset(subjects)


def service_subjects(fact: CaseFact) -> frozenset[Subject]:
    """Volunteer service counts for the person who handled the service task (as a grid worker: the
    people the city registers for volunteer service; a department's handler does it as their job)."""
    tenure = holder_at(fact, fact.resolved_at or fact.closed_at or fact.clock)
    if tenure is None or tenure.role not in GRID_WORKER_ROLES:
        return frozenset()
    return frozenset({Subject("grid_worker", tenure.holder_id)})


def place_subjects(fact: CaseFact) -> frozenset[Subject]:
    found = ((kind, rule(fact)) for kind, rule in PLACE_RULES.items())
    return frozenset(Subject(kind, subject_id) for kind, subject_id in found if subject_id is not None)


def person_subjects(tenure: Tenure | None) -> frozenset[Subject]:
    if tenure is None:
        return frozenset()
    found = ((kind, rule(tenure)) for kind, rule in PERSON_RULES.items())
    return frozenset(Subject(kind, subject_id) for kind, subject_id in found if subject_id is not None)


def responsible_for_handling(fact: CaseFact) -> Tenure | None:
    """The holder when the case was handled, or when its handling deadline passed if that came first."""
    return _responsible(fact, fact.resolve_by, fact.resolved_at)


def responsible_for_closing(fact: CaseFact) -> Tenure | None:
    """The holder when the case was closed, or when its closing deadline passed if that came first."""
    return _responsible(fact, fact.close_by, fact.closed_at)


def _responsible(fact: CaseFact, deadline: datetime, done_at: datetime | None) -> Tenure | None:
    return holder_at(fact, deadline if done_at is None or done_at > deadline else done_at)


def handling_subjects(fact: CaseFact) -> frozenset[Subject]:
    return place_subjects(fact) | person_subjects(responsible_for_handling(fact))


def closing_subjects(fact: CaseFact) -> frozenset[Subject]:
    return place_subjects(fact) | person_subjects(responsible_for_closing(fact))


def subjects_against(fact: CaseFact, tenure: Tenure) -> frozenset[Subject]:
    """A rework, request or callback counts for the case's places and for the person it is against."""
    return place_subjects(fact) | person_subjects(tenure)
