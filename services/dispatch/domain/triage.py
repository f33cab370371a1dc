"""What dispatch remembers in one partition of the reports topic, and the triage decision it drives.

Per partition: the open-case index (merge targets), who holds each open case opened here (the workload
least-loaded assignment weighs, ``domain/workload.py``), the outcome of every recent report (so a
redelivered or retried report gets the very same outcome — the same case and the same assignee — never a
second case), and each reporter's recent reports (the spam rule). Every change is also returned as a
``Change`` (``domain/changes.py``: a key and a JSON value, or None to delete), which the service writes
to a compacted changelog; ``restore`` applies the same changes to a fresh state, so a restarted or
rebalanced worker rebuilds exactly what it had.

Time is event time (the reports' ``submitted_at``): expiry follows the newest report seen in the
partition (its watermark), never the wall clock, so the same reports in the same order always give the
same decisions.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from uuid import UUID

from services.dispatch.domain.changes import (
    CASE,
    HOLDER,
    OUTCOME,
    Change,
    case_fields,
    case_key,
    case_value,
    holder_key,
    holder_of,
    holder_value,
    outcome_fields,
    outcome_key,
    outcome_value,
    parse_key,
)
from services.dispatch.domain.merging import OpenCase, OpenCaseIndex
from services.dispatch.domain.outcomes import Merged, Opened, Outcome, Voided
from services.dispatch.domain.rules import MergeRules, SpamRules, TriageRules, scope_void, spam_void
from services.dispatch.domain.workload import OpenCaseHolders
from shared.city import Category
from shared.events.reports import ReportSubmitted

HOUR_S = 3600.0

# Given how many open cases a person holds, whom a new case goes to (a person id, or None when nobody).
ChooseAssignee = Callable[[Callable[[str], int]], "str | None"]


@dataclass(frozen=True, slots=True)
class _Record:
    outcome: Outcome
    at: float
    reporter_id: str


def epoch(report: ReportSubmitted) -> float:
    submitted = report.submitted_at
    return (submitted.replace(tzinfo=UTC) if submitted.tzinfo is None else submitted).timestamp()


class PartitionTriage:
    def __init__(self, rules: TriageRules) -> None:
        self._merge: MergeRules = rules.merge
        self._spam: SpamRules = rules.voiding.spam
        self._retention_s = rules.merge.outcome_retention_seconds
        self.index = OpenCaseIndex()
        self.workload = OpenCaseHolders()
        self._outcomes: dict[UUID, _Record] = {}
        # Each reporter's report times (the spam rule), kept as long as their outcomes are.
        self._by_reporter: dict[str, list[float]] = {}
        self._expiry: list[tuple[float, int, UUID]] = []  # (when, 0 case | 1 outcome, id)
        self.watermark = float("-inf")

    @property
    def remembered_reports(self) -> int:
        return len(self._outcomes)

    def recall(self, report_id: UUID) -> Outcome | None:
        """What was decided for this report before, if it is still remembered."""
        record = self._outcomes.get(report_id)
        return None if record is None else record.outcome

    def decide(
        self,
        report: ReportSubmitted,
        category: Category | None,
        case_id: UUID,
        *,
        choose_assignee: ChooseAssignee | None = None,
    ) -> tuple[Outcome, list[Change]]:
        """The report's outcome — a remembered one if it was seen before — and the changes to persist.

        ``case_id`` is the id its own case gets if it opens one; ``choose_assignee`` then names who holds
        it, given this partition's workload (called only for a new case).
        """
        remembered = self.recall(report.report_id)
        if remembered is not None:
            return remembered, []
        at = epoch(report)
        changes = self._advance(at)
        outcome = self._outcome(report, category, case_id, at)
        if isinstance(outcome, Opened):
            assert category is not None
            rule = self._merge.for_category(category.code)
            # A case without a point (its report gave only an address) is no merge target: merging is
            # by distance.
            if rule is not None and report.location is not None:
                case = OpenCase(
                    case_id=case_id,
                    report_id=report.report_id,
                    category=category.code,
                    lon=report.location.lon,
                    lat=report.location.lat,
                    opened_at=at,
                    radius_m=rule.radius_m,
                    window_s=rule.window_seconds,
                )
                changes.append(self._add_case(case))
            # After the case's own record: replayed in this order, the holding shares the index's case id.
            assignee_id = None if choose_assignee is None else choose_assignee(self.workload.open_cases_of)
            if assignee_id is not None:
                outcome = Opened(case_id, assignee_id)
                changes.append(self._hold(case_id, assignee_id))
        changes.append(self._remember(report.report_id, _Record(outcome, at, report.reporter_id)))
        return outcome, changes

    def close(self, case_id: UUID) -> list[Change]:
        """The case closed: it is no longer a merge target, nor anyone's open case."""
        changes = []
        if self.index.remove(case_id) is not None:
            changes.append(Change(case_key(case_id), None))
        if self.workload.release(case_id) is not None:
            changes.append(Change(holder_key(case_id), None))
        return changes

    def restore(self, changes: Iterable[Change]) -> None:
        """Apply persisted changes (a changelog being replayed), oldest first. Idempotent."""
        for change in changes:
            kind, item_id = parse_key(change.key)
            if kind == CASE:
                self._restore_case(item_id, change.value)
            elif kind == OUTCOME:
                self._restore_outcome(item_id, change.value)
            elif kind == HOLDER:
                self._restore_holder(item_id, change.value)

    # --- deciding ----------------------------------------------------------------------------------

    def _outcome(
        self, report: ReportSubmitted, category: Category | None, case_id: UUID, at: float
    ) -> Outcome:
        void = scope_void(report, category) or spam_void(
            report, self._spam, reports_in_last_hour=self._recent(report.reporter_id, at)
        )
        if void is not None:
            return Voided(*void)
        assert category is not None
        rule = self._merge.for_category(category.code)
        # An address-only report does not merge: without a point there is no distance to a case, and an
        # address names a community, not a spot in it. It opens its own case.
        if rule is not None and report.location is not None:
            match = self.index.match(
                category=category.code,
                lon=report.location.lon,
                lat=report.location.lat,
                at=at,
                radius_m=rule.radius_m,
                window_s=rule.window_seconds,
            )
            if match is not None:
                return Merged(match.case.case_id, match.case.report_id, round(match.distance_m, 1))
        return Opened(case_id)

    def _recent(self, reporter_id: str, at: float) -> int:
        return sum(1 for t in self._by_reporter.get(reporter_id, ()) if at - HOUR_S < t <= at)

    # --- state and its changes ---------------------------------------------------------------------

    def _advance(self, at: float) -> list[Change]:
        """Move the watermark; forget cases whose window and outcomes whose retention it passed."""
        self.watermark = max(self.watermark, at)
        changes: list[Change] = []
        while self._expiry and self._expiry[0][0] < self.watermark:
            _, kind, item_id = heapq.heappop(self._expiry)
            if kind == 0 and self.index.remove(item_id) is not None:
                changes.append(Change(case_key(item_id), None))
            elif kind == 1 and self._forget(item_id):
                changes.append(Change(outcome_key(item_id), None))
        return changes

    def _hold(self, case_id: UUID, person_id: str) -> Change:
        self.workload.hold(case_id, person_id)
        return Change(holder_key(case_id), holder_value(person_id))

    def _add_case(self, case: OpenCase) -> Change:
        self.index.add(case)
        heapq.heappush(self._expiry, (case.opened_at + case.window_s, 0, case.case_id))
        return Change(case_key(case.case_id), case_value(case))

    def _remember(self, report_id: UUID, record: _Record) -> Change:
        self._outcomes[report_id] = record
        self._by_reporter.setdefault(record.reporter_id, []).append(record.at)
        heapq.heappush(self._expiry, (record.at + self._retention_s, 1, report_id))
        return Change(outcome_key(report_id), outcome_value(record.outcome, record.at, record.reporter_id))

    def _forget(self, report_id: UUID) -> bool:
        record = self._outcomes.pop(report_id, None)
        if record is None:
            return False
        seen = self._by_reporter.get(record.reporter_id)
        if seen is not None:
            seen.remove(record.at)
            if not seen:
                del self._by_reporter[record.reporter_id]
        return True

    def _restore_case(self, case_id: UUID, value: bytes | None) -> None:
        if value is None:
            self.index.remove(case_id)
            return
        report_id, category, lon, lat, opened_at = case_fields(value)
        rule = self._merge.for_category(category)
        if rule is None:  # the category no longer merges: it is no target, and its window is moot
            return
        case = OpenCase(case_id, report_id, category, lon, lat, opened_at, rule.radius_m, rule.window_seconds)
        self.index.add(case)
        heapq.heappush(self._expiry, (opened_at + rule.window_seconds, 0, case_id))

    def _restore_outcome(self, report_id: UUID, value: bytes | None) -> None:
        if value is None:
            self._forget(report_id)
            return
        outcome, at, reporter_id = outcome_fields(value)
        self._forget(report_id)
        opened = self.index.get(outcome.case_id) if isinstance(outcome, Opened) else None
        if opened is not None:  # share the index's id objects: a million cases, two UUIDs fewer each
            assert isinstance(outcome, Opened)
            outcome, report_id = Opened(opened.case_id, outcome.assignee_id), opened.report_id
        record = _Record(outcome, at, reporter_id)
        self._outcomes[report_id] = record
        self._by_reporter.setdefault(reporter_id, []).append(at)
        self.watermark = max(self.watermark, at)
        heapq.heappush(self._expiry, (at + self._retention_s, 1, report_id))

    def _restore_holder(self, case_id: UUID, value: bytes | None) -> None:
        if value is None:
            self.workload.release(case_id)
            return
        opened = self.index.get(case_id)  # share the index's id object: ~70 bytes an open case
        self.workload.hold(case_id if opened is None else opened.case_id, holder_of(value))
