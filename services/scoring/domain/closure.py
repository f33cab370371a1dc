"""The closure counters: due to close (应结案数), closed (结案数), closed on time (按期结案数).

A case is due to close in the period its deadline falls in, and also in the period it was closed in
when that is another one: a case closed late is still counted where it was due (as not closed) and
where it was closed (as closed), so neither month looks better than it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.scoring.domain.attribution import Subject, subjects_of
from services.scoring.domain.facts import CaseFact
from services.scoring.domain.periods import Period, period_of
from shared.events.assessments import ClosureCounters

NO_CASES = ClosureCounters(due_to_close=0, closed=0, closed_on_time=0)


@dataclass(frozen=True)
class Contribution:
    """What one case adds to one period's counters."""

    due_to_close: bool
    closed: bool
    closed_on_time: bool


def contributions(fact: CaseFact, tz: ZoneInfo) -> dict[Period, Contribution]:
    due_in = period_of(fact.close_by, tz)
    if fact.closed_at is None:
        return {due_in: Contribution(due_to_close=True, closed=False, closed_on_time=False)}
    closed_in = period_of(fact.closed_at, tz)
    on_time = fact.closed_at <= fact.close_by
    result = {closed_in: Contribution(due_to_close=True, closed=True, closed_on_time=on_time)}
    if due_in != closed_in:
        result[due_in] = Contribution(due_to_close=True, closed=False, closed_on_time=False)
    return result


def periods_of(fact: CaseFact, tz: ZoneInfo) -> frozenset[Period]:
    return frozenset(contributions(fact, tz))


def count(facts: Iterable[CaseFact], period: Period, tz: ZoneInfo) -> ClosureCounters:
    due = closed = on_time = 0
    for fact in facts:
        part = contributions(fact, tz).get(period)
        if part is None:
            continue
        due += part.due_to_close
        closed += part.closed
        on_time += part.closed_on_time
    return ClosureCounters(due_to_close=due, closed=closed, closed_on_time=on_time)


def affected_results(
    before: CaseFact | None, after: CaseFact | None, tz: ZoneInfo
) -> frozenset[tuple[Subject, Period]]:
    """The (subject, period) results a change to one case can move: those it counted in before the
    change and those it counts in after (a reassigned case leaves one worker's month for another's)."""
    pairs: set[tuple[Subject, Period]] = set()
    for fact in (before, after):
        if fact is None:
            continue
        periods = periods_of(fact, tz)
        pairs.update((subject, period) for subject in subjects_of(fact) for period in periods)
    return frozenset(pairs)
