"""Duplicate merge, for any sequence of reports and closures: each report ends in exactly one case or
merge; a merge joins an open case of the same category, within its radius and window; a report with only
an address (no point) never merges, nor does anything merge into its case; a report seen again gets the
same outcome; and a partition rebuilt from its changelog at any point decides exactly as the
uninterrupted one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.dispatch.domain import case_id_for
from services.dispatch.domain.changes import Change
from services.dispatch.domain.merging import METRES_PER_DEGREE, distance_m
from services.dispatch.domain.outcomes import Merged, Opened, Outcome, Voided
from services.dispatch.domain.triage import PartitionTriage
from shared.events.reports import GeoPoint, ReportSubmitted
from tests.unit.dispatch.conftest import CITY, RULES, SUBMITTED_AT, make_report

BASE_LON, BASE_LAT = 120.16, 33.38
# Two merging categories with different rules, and one that never merges.
GARBAGE = "city_appearance.garbage_overflow"  # 100 m, 24 h
MANHOLE = "public_facility.manhole_cover"  # 50 m, 48 h
NOISE = "dispute.neighbour_noise"  # never
CATEGORIES = (GARBAGE, MANHOLE, NOISE)
ADDRESS = "亭湖区 毓龙西路 18 号"


@dataclass(frozen=True)
class Close:
    """Close the case the n-th report so far opened (nothing, if it opened none)."""

    nth: int


@dataclass(frozen=True)
class CloseCase:
    case_id: uuid.UUID


def _report(
    category: str, east_m: float, north_m: float, minutes: int, reporter: int, with_point: bool
) -> ReportSubmitted:
    point = GeoPoint(
        lon=BASE_LON + east_m / (METRES_PER_DEGREE * 0.836), lat=BASE_LAT + north_m / METRES_PER_DEGREE
    )
    return make_report(
        report_id=uuid.uuid4(),
        category=category,
        reporter_id=f"resident-{reporter}",
        location=point if with_point else None,
        address=None if with_point else ADDRESS,
        submitted_at=SUBMITTED_AT + timedelta(minutes=minutes),
    )


reports = st.builds(
    _report,
    st.sampled_from(CATEGORIES),
    st.floats(-250, 250),
    st.floats(-250, 250),
    st.integers(0, 3 * 24 * 60),
    st.integers(0, 40),
    st.sampled_from((True, True, True, False)),  # one report in four gives only an address
)
steps = st.lists(st.one_of(reports, reports, reports, st.builds(Close, st.integers(0, 60))), max_size=60)


def run(
    sequence: Sequence[object], triage: PartitionTriage
) -> tuple[list[tuple[ReportSubmitted, Outcome]], list[Change]]:
    """Feed reports (in time order, as one partition sees them) and closures; outcomes and changes."""
    outcomes: list[tuple[ReportSubmitted, Outcome]] = []
    log: list[Change] = []
    for step in sequence:
        if isinstance(step, CloseCase):
            log += triage.close(step.case_id)
            continue
        assert isinstance(step, ReportSubmitted)
        outcome, changes = triage.decide(step, CITY.category(step.category), case_id_for(step.report_id))
        outcomes.append((step, outcome))
        log += changes
    return outcomes, log


def in_time_order(sequence: list[object]) -> list[object]:
    """Reports in submission order (as one place's reports arrive); closures where they were drawn,
    each naming the case of a report before it."""
    ordered = sorted((s for s in sequence if isinstance(s, ReportSubmitted)), key=lambda r: r.submitted_at)
    it = iter(ordered)
    seen: list[ReportSubmitted] = []
    steps: list[object] = []
    for step in sequence:
        if isinstance(step, Close):
            if seen:
                steps.append(CloseCase(case_id_for(seen[step.nth % len(seen)].report_id)))
            continue
        seen.append(next(it))
        steps.append(seen[-1])
    return steps


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_every_merge_joins_an_open_case_of_the_same_category_within_radius_and_window(sequence) -> None:
    sequence = in_time_order(sequence)
    outcomes, _ = run(sequence, PartitionTriage(RULES))

    opened_by = {o.case_id: r for r, o in outcomes if isinstance(o, Opened)}
    closed_before: set[uuid.UUID] = set()
    it = iter(outcomes)
    for step in sequence:
        if isinstance(step, CloseCase):
            closed_before.add(step.case_id)
            continue
        report, outcome = next(it)
        assert isinstance(outcome, Opened | Merged | Voided)
        if isinstance(outcome, Opened):
            assert outcome.case_id == case_id_for(report.report_id)
            continue
        if isinstance(outcome, Voided):
            continue
        opener = opened_by[outcome.case_id]
        assert report.location is not None, "a report without a point merged"
        assert opener.location is not None, "a report merged into a case without a point"
        rule = RULES.merge.for_category(report.category)
        assert rule is not None, "a category that never merges merged"
        assert opener.category == report.category, "different categories merged"
        assert outcome.case_id not in closed_before, "merged into a closed case"
        assert outcome.case_report_id == opener.report_id
        far = distance_m(report.location.lon, report.location.lat, opener.location.lon, opener.location.lat)
        assert far <= rule.radius_m
        assert abs((report.submitted_at - opener.submitted_at).total_seconds()) <= rule.window_seconds


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_each_report_ends_in_exactly_one_case_or_merge_and_the_same_one_when_seen_again(sequence) -> None:
    sequence = in_time_order(sequence)
    triage = PartitionTriage(RULES)
    first, _ = run(sequence, triage)

    # Redeliveries come from the uncommitted tail of the partition: well within the outcome retention.
    retention = timedelta(seconds=RULES.merge.outcome_retention_seconds)
    newest = max((r.submitted_at for r, _ in first), default=SUBMITTED_AT)
    remembered = [(r, o) for r, o in first if r.submitted_at > newest - retention]
    again, changes = run([r for r, _ in remembered], triage)

    assert again == remembered
    assert changes == []
    # Exactly one case per report that opened one; merges name only those cases.
    cases = [o.case_id for _, o in first if isinstance(o, Opened)]
    assert len(cases) == len(set(cases))
    assert {o.case_id for _, o in first if isinstance(o, Merged)} <= set(cases)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.integers(0, 60))
def test_a_partition_rebuilt_from_its_changelog_at_any_point_decides_as_before(sequence, crash_at) -> None:
    sequence = in_time_order(sequence)
    crash_at = min(crash_at, len(sequence))
    uninterrupted, _ = run(sequence, PartitionTriage(RULES))

    before, log = run(sequence[:crash_at], PartitionTriage(RULES))
    rebuilt = PartitionTriage(RULES)
    rebuilt.restore(log)
    # A crash before the offsets were committed: the last few reports are delivered again.
    # (The uncommitted tail is seconds of stream, well within the outcome retention.)
    retention = timedelta(seconds=RULES.merge.outcome_retention_seconds)
    newest = max((r.submitted_at for r, _ in before), default=SUBMITTED_AT)
    tail = sequence[max(0, crash_at - 5) : crash_at]
    redelivered = [s for s in tail if isinstance(s, ReportSubmitted) and s.submitted_at > newest - retention]
    replayed, _ = run(redelivered, rebuilt)
    after, _ = run(sequence[crash_at:], rebuilt)

    assert replayed == [pair for pair in before if pair[0] in redelivered]
    assert before + after == uninterrupted
