"""What one case adds to the counters of each (subject, period) it counts in.

Handling and closing follow the same rule against their own deadline (``resolve_by``, ``close_by``):
a case is due in the period its deadline falls in, and also in the period it was done in when that is
another one — a case closed late is counted where it was due (as not closed) and where it was closed
(as closed), so neither period looks better than it was. Done at or before the deadline is on time;
after it is late. Not handled and past its deadline (as far as scoring's clock for the case knows) is
overdue and not handled, in the period of the deadline. An approved timeout appeal makes late on time.

Reworks, extensions, deferrals, returns and callbacks are things that happened: each counts once, in
the period it happened in. So does each report (in the period it was made: valid when it opened or joined
a case, not when voided) and a service task's volunteer minutes (in the period the task was closed).

Months, quarters and years are each counted by these rules, never summed from one another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from services.scoring.domain.attribution import (
    Subject,
    closing_subjects,
    handling_subjects,
    reporter_subjects,
    service_subjects,
    subjects_against,
)
from services.scoring.domain.counters import COUNTERS, delta, from_mapping
from services.scoring.domain.facts import CaseFact
from services.scoring.domain.periods import PERIOD_KINDS, Period, period_of
from services.scoring.domain.reports import VoidedReport
from shared.events.assessments import AssessmentCounters

Key = tuple[Subject, Period]
_Tally = defaultdict[Key, dict[str, int]]


def _credit(tally: _Tally, subjects: Iterable[Subject], period: Period, counts: dict[str, int]) -> None:
    for subject in subjects:
        cell = tally[(subject, period)]
        for name, n in counts.items():
            cell[name] = cell.get(name, 0) + n


def _stage(
    tally: _Tally,
    subjects: frozenset[Subject],
    tz: ZoneInfo,
    *,
    deadline: datetime,
    done_at: datetime | None,
    names: tuple[str, str, str, str | None, str | None],
    overdue: bool,
    exempt: bool,
) -> None:
    due, done, on_time, late, overdue_name = names
    for kind in PERIOD_KINDS:
        due_in = period_of(deadline, tz, kind)
        if done_at is None:
            counts = {due: 1}
            if overdue_name and overdue and not exempt:
                counts[overdue_name] = 1
            _credit(tally, subjects, due_in, counts)
            continue
        done_in = period_of(done_at, tz, kind)
        counts = {due: 1, done: 1}
        if done_at <= deadline or exempt:
            counts[on_time] = 1
        elif late:
            counts[late] = 1
        _credit(tally, subjects, done_in, counts)
        if due_in != done_in:
            _credit(tally, subjects, due_in, {due: 1})


HANDLING = ("due_to_handle", "handled", "handled_on_time", "handled_late", "overdue_not_handled")
CLOSING = ("due_to_close", "closed", "closed_on_time", None, None)


def contributions(fact: CaseFact | VoidedReport, tz: ZoneInfo) -> dict[Key, AssessmentCounters]:
    tally: _Tally = defaultdict(dict)
    _tally(tally, fact, tz)
    return _counters(tally)


def _tally(tally: _Tally, fact: CaseFact | VoidedReport, tz: ZoneInfo) -> None:
    """Add what one case adds to each (subject, period) to ``tally``."""
    if isinstance(fact, VoidedReport):
        subjects = reporter_subjects(fact.source_type, fact.reporter_id)
        _happened(tally, tz, [(fact.at, {"reports": 1}, subjects)])
        return
    if fact.voided_at is not None:
        # Ended by an approved void: no one is assessed on it, and its reports were made but not valid.
        made = [(r.at, {"reports": 1}, reporter_subjects(r.source_type, r.reporter_id)) for r in fact.reports]
        _happened(tally, tz, made)
        return
    _stage(
        tally,
        handling_subjects(fact),
        tz,
        deadline=fact.resolve_by,
        done_at=fact.resolved_at,
        names=HANDLING,
        overdue=fact.clock > fact.resolve_by,
        exempt=fact.lateness_exempt,
    )
    _stage(
        tally,
        closing_subjects(fact),
        tz,
        deadline=fact.close_by,
        done_at=fact.closed_at,
        names=CLOSING,
        overdue=False,
        exempt=fact.lateness_exempt,
    )
    happenings: list[tuple[datetime, dict[str, int], frozenset[Subject]]] = [
        (rework.at, {"reworks": 1}, subjects_against(fact, rework.against)) for rework in fact.reworks
    ]
    happenings += [(r.at, {r.kind: 1}, subjects_against(fact, r.by)) for r in fact.requests]
    for callback in fact.callbacks:
        counts = {"callbacks": 1, "satisfied_callbacks": 1} if callback.satisfied else {"callbacks": 1}
        happenings.append((callback.at, counts, subjects_against(fact, callback.against)))
    for report in fact.reports:
        subjects = reporter_subjects(report.source_type, report.reporter_id)
        happenings.append((report.at, {"reports": 1, "valid_reports": 1}, subjects))
    if fact.service_minutes and fact.closed_at is not None:
        happenings.append((fact.closed_at, {"service_minutes": fact.service_minutes}, service_subjects(fact)))
    _happened(tally, tz, happenings)


def _happened(
    tally: _Tally, tz: ZoneInfo, happenings: list[tuple[datetime, dict[str, int], frozenset[Subject]]]
) -> None:
    for at, counts, subjects in happenings:
        for kind in PERIOD_KINDS:
            _credit(tally, subjects, period_of(at, tz, kind), counts)


def _counters(tally: _Tally) -> dict[Key, AssessmentCounters]:
    return {key: from_mapping({n: cell.get(n, 0) for n in COUNTERS}) for key, cell in tally.items()}


def count(facts: Iterable[CaseFact | VoidedReport], tz: ZoneInfo) -> dict[Key, AssessmentCounters]:
    """Every (subject, period)'s counters over a set of cases: the whole assessment from scratch."""
    tally: _Tally = defaultdict(dict)
    for fact in facts:
        _tally(tally, fact, tz)
    return _counters(tally)


def changes(
    before: dict[Key, AssessmentCounters], after: dict[Key, AssessmentCounters]
) -> dict[Key, tuple[int, ...]]:
    """The (subject, period) results a change to one case moves, with what it adds to each (after −
    before; negative where the case left: a reassigned case leaves one worker's month for another's)."""
    moved = {}
    for key in set(before) | set(after):
        difference = delta(before.get(key), after.get(key))
        if any(difference):
            moved[key] = difference
    return moved
