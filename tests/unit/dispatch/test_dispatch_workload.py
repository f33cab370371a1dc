"""Least-loaded assignment fed by the partition's own state (a case counts against its holder from opening
to closure, rebuilt from the changelog, remembered per report), and the registry of the report's day."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from services.dispatch.domain import case_id_for
from services.dispatch.domain.changes import Change
from services.dispatch.domain.outcomes import Opened
from services.dispatch.domain.triage import PartitionTriage
from services.dispatch.domain.workload import OpenCaseHolders
from services.dispatch.handlers import Dispatched, handle_report_submitted
from shared.events import decode, encode
from shared.events.reports import GeoPoint
from tests.unit.dispatch.conftest import CITY, RULES, fresh_triage, make_report, point_in

GRID = "g-tinghu-wenfeng-02"
WORKERS = ("w-tinghu-wenfeng-03", "w-tinghu-wenfeng-04", "w-tinghu-wenfeng-05")
# A Tuesday, 12:30 in Yancheng: all three of the grid's workers are on duty.
MIDDAY = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)
NOISE = "dispute.neighbour_noise"  # grid tier, never merged: every report is a case of its own


def dispatch(triage: PartitionTriage, **fields: Any) -> Dispatched:
    defaults = {
        "category": NOISE,
        "location": point_in(GRID),
        "submitted_at": MIDDAY,
        "reporter_id": f"resident-{uuid.uuid4().hex[:8]}",  # one report each: no spam rule in the way
    }
    report = make_report(**{**defaults, **fields})
    record = encode(report, source="/gridloop/intake")
    return handle_report_submitted(
        decode(record.headers, record.value), city=CITY, rules=RULES, triage=triage, sla_scale=1.0
    )


def assignee(dispatched: Dispatched) -> str:
    assert dispatched.assigned is not None
    return dispatched.assigned.assignee_id


def test_all_workers_on_duty_are_as_the_tests_below_need() -> None:
    assert {w.person_id for w in CITY.on_duty(GRID, MIDDAY)} == set(WORKERS)


def test_new_cases_go_round_the_workers_on_duty_by_their_open_cases() -> None:
    triage = fresh_triage()

    picks = Counter(assignee(dispatch(triage)) for _ in range(30))

    assert picks == {worker: 10 for worker in WORKERS}


def test_a_worker_whose_case_closed_takes_the_next_one() -> None:
    triage = fresh_triage()
    first = [dispatch(triage) for _ in range(3)]  # one each
    relieved = first[1]
    assert relieved.assigned is not None

    triage.close(relieved.assigned.case_id)

    assert assignee(dispatch(triage)) == assignee(relieved)


def test_a_reprocessed_report_goes_to_the_same_worker_though_the_workload_moved_on() -> None:
    triage = fresh_triage()
    report_id = uuid.uuid4()
    first = dispatch(triage, report_id=report_id, reporter_id="resident-1")
    for other in (dispatch(triage), dispatch(triage)):  # one case each, then closed:
        assert other.assigned is not None
        triage.close(other.assigned.case_id)  # the first report's worker is now the busiest

    again = dispatch(triage, report_id=report_id, reporter_id="resident-1")

    assert again.records == first.records
    assert again.changes == []


def test_the_workload_and_remembered_assignees_are_rebuilt_from_the_changelog() -> None:
    triage = fresh_triage()
    report_id = uuid.uuid4()
    changes: list[Change] = []
    for n in range(5):
        changes += dispatch(triage, report_id=report_id if n == 0 else uuid.uuid4()).changes
    closed = dispatch(triage)
    assert closed.assigned is not None
    changes += closed.changes + triage.close(closed.assigned.case_id)

    rebuilt = fresh_triage()
    rebuilt.restore(changes)

    assert [rebuilt.workload.open_cases_of(w) for w in WORKERS] == [
        triage.workload.open_cases_of(w) for w in WORKERS
    ]
    assert rebuilt.recall(report_id) == triage.recall(report_id)
    assert assignee(dispatch(rebuilt)) == assignee(dispatch(triage))


def test_an_opened_outcome_written_before_assignees_were_remembered_still_restores() -> None:
    report_id, case_id = uuid.uuid4(), uuid.uuid4()
    triage = fresh_triage()

    triage.restore([Change(f"r:{report_id}".encode(), f'["opened","{case_id}",1.0,"r-1"]'.encode())])

    assert triage.recall(report_id) == Opened(case_id, None)


def test_an_unlocated_case_counts_against_nobody() -> None:
    triage = fresh_triage()

    dispatched = dispatch(triage, location=GeoPoint(lon=118.78, lat=32.04))

    assert dispatched.assigned is None
    assert dispatched.outcome == Opened(case_id_for(dispatched.report_id), None)
    assert len(triage.workload) == 0


def test_holders_count_each_case_once_and_forget_it_when_it_closes() -> None:
    holders = OpenCaseHolders()
    case = uuid.uuid4()
    holders.hold(case, "w-1")
    holders.hold(case, "w-1")
    holders.hold(uuid.uuid4(), "w-1")
    assert holders.open_cases_of("w-1") == 2

    holders.hold(case, "w-2")  # handed on
    assert (holders.open_cases_of("w-1"), holders.open_cases_of("w-2")) == (1, 1)

    assert holders.release(case) == "w-2"
    assert holders.release(case) is None
    assert holders.open_cases_of("w-2") == 0


# --- the registry of the report's day ------------------------------------------------------------------

# On the boundary between Yulong grids 1 and 2 that was redrawn on 2025-07-01.
REDRAWN = GeoPoint(lon=120.149055, lat=33.3875)


def test_a_report_is_located_by_the_boundaries_in_force_on_its_day() -> None:
    before = dispatch(fresh_triage(), location=REDRAWN, submitted_at=datetime(2025, 6, 30, 4, tzinfo=UTC))
    after = dispatch(fresh_triage(), location=REDRAWN, submitted_at=datetime(2025, 7, 1, 4, tzinfo=UTC))

    assert before.opened is not None
    assert after.opened is not None
    assert (before.opened.grid_id, after.opened.grid_id) == ("g-tinghu-wenfeng-01", "g-tinghu-wenfeng-02")


def test_a_case_goes_to_the_staff_in_force_on_its_day() -> None:
    # The former Yulong community officer left on 2024-12-31 (Yancheng's clock: 16:00 UTC the day before).
    def officers_on(at: datetime) -> set[str]:
        triage = fresh_triage()  # least loaded: the community's officers take turns
        return {
            assignee(dispatch(triage, category="dispute.family_conflict", submitted_at=at)) for _ in range(4)
        }

    assert officers_on(datetime(2024, 12, 30, 15, 59, tzinfo=UTC)) == {
        "co-tinghu-wenfeng-yulong",
        "co-tinghu-wenfeng-yulong-former",
    }
    assert officers_on(datetime(2024, 12, 30, 16, 0, tzinfo=UTC)) == {"co-tinghu-wenfeng-yulong"}
