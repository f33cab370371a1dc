"""Who a case counts for: the subjects of assessment a case is attributed to.

Each subject type has one rule that reads the case fact; a case counts for every subject its rules
name. Later subject types (community, street, district, department, reporter) are more rows in
``RULES`` — their rules will read the city's org tree, handed in, not looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.scoring.domain.facts import CaseFact
from shared.events.assessments import SubjectType

# Roles that make the holder a grid worker for assessment. None: the holder took over the case after
# an assignment scoring saw; they hold it, so it counts for them.
GRID_WORKER_ROLES: frozenset[str | None] = frozenset({"grid_worker", None})


@dataclass(frozen=True, order=True)
class Subject:
    subject_type: SubjectType
    subject_id: str

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


def _grid_worker(fact: CaseFact) -> str | None:
    """The case counts for whoever holds it; an unassigned case counts for no worker."""
    if fact.holder_id is None or fact.holder_role not in GRID_WORKER_ROLES:
        return None
    return fact.holder_id


def _grid(fact: CaseFact) -> str | None:
    """The grid the case is located in; a case outside every grid counts for no grid."""
    return fact.grid_id


RULES: dict[SubjectType, Callable[[CaseFact], str | None]] = {
    "grid_worker": _grid_worker,
    "grid": _grid,
}

SUBJECT_TYPES: tuple[SubjectType, ...] = tuple(RULES)


def subjects_of(fact: CaseFact) -> frozenset[Subject]:
    subjects = set()
    for subject_type, rule in RULES.items():
        subject_id = rule(fact)
        if subject_id is not None:
            subjects.add(Subject(subject_type, subject_id))
    return frozenset(subjects)
