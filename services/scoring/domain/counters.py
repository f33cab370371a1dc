"""Counter vectors: one subject's counters in one period, added and subtracted as whole vectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shared.events.assessments import COUNTER_NAMES_ZH, AssessmentCounters

COUNTERS: tuple[str, ...] = tuple(COUNTER_NAMES_ZH)
NO_CASES = AssessmentCounters()


def of(**counts: int) -> AssessmentCounters:
    """Counters with the named ones set, e.g. ``of(due_to_close=1, closed=1)``."""
    return AssessmentCounters(**counts)


def add(a: AssessmentCounters, b: AssessmentCounters) -> AssessmentCounters:
    return AssessmentCounters(**{name: getattr(a, name) + getattr(b, name) for name in COUNTERS})


def total(parts: Iterable[AssessmentCounters]) -> AssessmentCounters:
    result = NO_CASES
    for part in parts:
        result = add(result, part)
    return result


def as_tuple(counters: AssessmentCounters) -> tuple[int, ...]:
    return tuple(getattr(counters, name) for name in COUNTERS)


def delta(before: AssessmentCounters | None, after: AssessmentCounters | None) -> tuple[int, ...]:
    """after − before, counter by counter (negative where a case left)."""
    old = as_tuple(before or NO_CASES)
    new = as_tuple(after or NO_CASES)
    return tuple(n - o for o, n in zip(old, new, strict=True))


def from_mapping(values: Mapping[str, int]) -> AssessmentCounters:
    return AssessmentCounters(**{name: int(values[name]) for name in COUNTERS})
