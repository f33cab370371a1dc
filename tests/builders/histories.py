"""Random but realistic case histories: dispatch, duplicates merged in by riders and residents, reassignment
(before or after a deadline), escalation to a department, resolution, failed verification and rework,
closing on time or late, or left open; and reports voided without a case. Seeded, so a history is the same
every run: scoring's unit and integration tests and ``bench.scoring`` replay them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

from shared.events import Event, derived_id
from shared.events.cases import (
    CaseAccepted,
    CaseActed,
    CaseAssigned,
    CaseClosed,
    CaseResolved,
    CaseVerificationFailed,
    CaseVerified,
)
from shared.events.triage import ReportVoided
from tests.builders.cases import case_assigned, case_opened
from tests.builders.steps import case_acted
from tests.builders.triage import report_merged, report_voided

# (grid, community, street, district)
PLACES = [
    ("g-1", "c-1", "s-1", "d-1"),
    ("g-2", "c-1", "s-1", "d-1"),
    ("g-3", "c-2", "s-2", "d-1"),
    (None, None, None, None),
]
WORKERS = ["w-1", "w-2", "w-3", "w-4"]
REPORTERS = [
    ("delivery_rider", "rider-1"),
    ("delivery_rider", "rider-2"),
    ("resident", "r-1"),
    ("grid_worker", "w-2"),
]
CATEGORIES = ["environment.rubbish", "people.elderly_alone_help"]
START = datetime(2026, 10, 25, 16, tzinfo=UTC)  # near a month and a quarter edge in Shanghai


def case_history(rng: random.Random, n: int, salt: str) -> list[Event]:
    case_id = derived_id("history", salt, n)
    grid, community, street, district = rng.choice(PLACES)
    opened_at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 80))
    resolve_by = opened_at + timedelta(hours=rng.randrange(2, 24 * 10))
    close_by = resolve_by + timedelta(hours=rng.randrange(0, 24 * 5))
    clock = opened_at
    worker = rng.choice(WORKERS)
    category = rng.choice(CATEGORIES)
    source_type, reporter = rng.choice(REPORTERS)

    def tick(hours: float) -> datetime:
        nonlocal clock
        clock = clock + timedelta(hours=rng.uniform(0.1, hours))
        return clock

    events: list[Event] = [
        case_opened(
            now=opened_at,
            case_id=case_id,
            report_id=derived_id("report", salt, n),
            category=category,
            grid_id=grid,
            community_id=community,
            street_id=street,
            district_id=district,
            source_type=source_type,
            reporter_id=reporter,
            resolve_by=resolve_by,
            close_by=close_by,
        ),
        *(_merged(case_id, rng, salt, n, i, opened_at) for i in range(rng.choice([0, 0, 0, 1, 2]))),
        _assigned(case_id, opened_at, worker, "grid_worker", grid or "c-x", grid, resolve_by, close_by),
    ]
    holder = worker
    if rng.random() < 0.3:  # reassigned to another worker, or escalated to a department
        if rng.random() < 0.5:
            holder, role, unit = rng.choice(WORKERS), "grid_worker", grid or "c-x"
        else:
            holder, role, unit = "dh-1", "department_handler", "dept-urban"
        events.append(_assigned(case_id, tick(24 * 8), holder, role, unit, grid, resolve_by, close_by))

    def acted(kind: type[CaseActed], hours: float, **extra: object) -> None:
        events.append(
            case_acted(
                kind,
                now=tick(hours),
                case_id=case_id,
                actor_id=holder,
                holder_id=holder,
                close_by=close_by,
                **extra,
            )
        )

    acted(CaseAccepted, 6)
    if rng.random() < 0.15:
        return events  # left open
    acted(CaseResolved, 24 * 6)
    while rng.random() < 0.25:
        acted(CaseVerificationFailed, 12, rework_of="resolution")
        acted(CaseResolved, 24 * 2)
    acted(CaseVerified, 12)
    if rng.random() < 0.9:
        acted(CaseClosed, 24 * 2)
    return events


def _merged(case_id: UUID, rng: random.Random, salt: str, n: int, i: int, opened_at: datetime) -> Event:
    source_type, reporter = rng.choice(REPORTERS)
    when = opened_at + timedelta(minutes=rng.randrange(1, 120))
    return report_merged(
        now=when,
        case_id=case_id,
        report_id=derived_id("merged-report", salt, n, i),
        case_report_id=derived_id("report", salt, n),
        source_type=source_type,
        reporter_id=reporter,
        distance_m=rng.uniform(0, 50),
    )


def voided_report(rng: random.Random, n: int, salt: str) -> ReportVoided:
    source_type, reporter = rng.choice(REPORTERS)
    return report_voided(
        now=START + timedelta(minutes=rng.randrange(0, 60 * 24 * 80)),
        report_id=derived_id("voided-report", salt, n),
        source_type=source_type,
        reporter_id=reporter,
    )


def _assigned(
    case_id: UUID,
    at: datetime,
    who: str,
    role: str,
    unit: str,
    grid: str | None,
    resolve_by: datetime,
    close_by: datetime,
) -> CaseAssigned:
    return case_assigned(
        now=at,
        case_id=case_id,
        assignee_id=who,
        assignee_role=role,
        unit_id=unit,
        verifier_id="chief-1",
        grid_id=grid,
        resolve_by=resolve_by,
        close_by=close_by,
    )


def interleave(rng: random.Random, histories: list[list[Event]]) -> list[Event]:
    """One stream as a topic's partitions would deliver it: each case in order, cases interleaved."""
    queues = [list(history) for history in histories]
    stream: list[Event] = []
    while queues:
        queue = rng.choice(queues)
        stream.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return stream
