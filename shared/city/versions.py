"""Effective dates: which version of each record is in force on a day, and the days anything changes.

People and grid boundaries are versioned: a record id may appear several times, each version with its own
``effective_from``/``effective_until``, as long as no two versions of one id are in force on the same day.
Between two consecutive change days nothing changes, so the registry is checked (and its views built)
once per such period rather than once per day. Pure: no I/O.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TypeVar

from shared.city.errors import Problem
from shared.city.records import Dated

D = TypeVar("D", bound=Dated)

# The first period has no start: it is checked and viewed on this day, before any change.
BEGINNING = date.min


def change_dates(records: Iterable[Dated]) -> tuple[date, ...]:
    """Every day on which some version starts or stops being in force, in order."""
    days = {day for record in records for day in (record.effective_from, record.effective_until) if day}
    return tuple(sorted(days))


def period_starts(*records: Iterable[Dated]) -> tuple[date, ...]:
    """The first day of each period in which nothing changes: BEGINNING, then each change day."""
    return (BEGINNING, *change_dates(record for group in records for record in group))


def period_of(changes: Sequence[date], day: date) -> int:
    """The index of the period containing ``day``, given the change days (0 before the first change)."""
    return bisect_right(changes, day)


def in_force(records: Iterable[D], day: date) -> list[D]:
    return [record for record in records if record.in_force_on(day)]


def check_versions(records: Sequence[D], id_of: Callable[[D], str], kind: str, file: str) -> list[Problem]:
    """A problem for each id with two versions in force on one day (or two undated copies)."""
    counts = Counter(map(id_of, records))
    versions: defaultdict[str, list[D]] = defaultdict(list)
    for record in records:
        if counts[id_of(record)] > 1:
            versions[id_of(record)].append(record)
    problems = []
    for record_id, found in versions.items():
        if len(found) < 2:
            continue
        clash = _first_clash(found)
        if clash is not None:
            when = "" if clash == BEGINNING else f" in force on {clash}"
            problems.append(
                Problem(
                    file,
                    f"{kind} {record_id!r}",
                    f"appears {len(found)} times{when}; versions of "
                    "one record need effective dates that do not overlap",
                )
            )
    return problems


def _first_clash(versions: list[D]) -> date | None:
    """The first day two of the versions are in force together, or None if they never are."""
    ordered = sorted(versions, key=lambda v: v.effective_from or BEGINNING)
    for earlier, later in itertools.pairwise(ordered):
        start = later.effective_from or BEGINNING
        if earlier.effective_until is None or start < earlier.effective_until:
            return start
    return None
