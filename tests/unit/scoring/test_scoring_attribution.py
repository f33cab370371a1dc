"""Who each outcome counts for: one test per attribution rule, then cases through several holders."""

from zoneinfo import ZoneInfo

from services.scoring.domain import Period, Subject, contributions
from services.scoring.domain.attribution import (
    closing_subjects,
    handling_subjects,
    responsible_for_closing,
    responsible_for_handling,
)
from services.scoring.domain.counters import of
from services.scoring.domain.facts import Rework
from tests.builders import at
from tests.unit.scoring.builders import fact, tenure

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = Period(2026, 11)
LI, ZHAO = Subject("grid_worker", "worker-li"), Subject("grid_worker", "worker-zhao")
PLACES = {
    Subject("grid", "grid-a"),
    Subject("community", "community-a"),
    Subject("street", "street-a"),
    Subject("district", "district-a"),
}


def test_a_case_counts_for_its_holder_as_grid_worker_and_for_every_place_it_lies_in():
    case = fact(holder_id="worker-li", places=True)
    assert handling_subjects(case) == closing_subjects(case) == PLACES | {LI}


def test_an_unassigned_case_counts_for_its_places_only():
    assert closing_subjects(fact(holder_id=None, places=True)) == PLACES


def test_a_case_outside_every_grid_counts_for_its_worker_only():
    assert closing_subjects(fact(holder_id="worker-li", grid_id=None)) == {LI}


def test_a_case_held_by_a_department_handler_counts_for_the_department_and_no_grid_worker():
    case = fact(tenures=(tenure("handler-chen", role="department_handler", unit_id="dept-urban"),))
    assert closing_subjects(case) == {Subject("grid", "grid-a"), Subject("department", "dept-urban")}


def test_a_case_held_by_a_community_officer_counts_for_no_person():
    case = fact(tenures=(tenure("officer-sun", role="community_officer", unit_id="community-a"),))
    assert closing_subjects(case) == {Subject("grid", "grid-a")}


def test_a_holder_of_unknown_role_is_counted_as_the_grid_worker_holding_it():
    assert Subject("grid_worker", "worker-zhao") in closing_subjects(
        fact(tenures=(tenure("worker-zhao", role=None),))
    )


def test_a_case_handled_on_time_counts_for_whoever_held_it_when_it_was_handled():
    case = fact(
        tenures=(tenure("worker-li", "2026-11-10T01:05"), tenure("worker-zhao", "2026-11-12T00:00")),
        resolve_by="2026-11-18T09:00",
        resolved_at="2026-11-13T00:00",
    )
    assert responsible_for_handling(case).holder_id == "worker-zhao"  # type: ignore[union-attr]


def test_lateness_counts_against_whoever_held_the_case_when_its_deadline_passed():
    # Li let the deadline pass; the case was then moved to Zhao, who handled it late.
    case = fact(
        tenures=(tenure("worker-li", "2026-11-10T01:05"), tenure("worker-zhao", "2026-11-19T00:00")),
        resolve_by="2026-11-18T09:00",
        resolved_at="2026-11-20T00:00",
        close_by="2026-11-18T10:00",
        closed_at="2026-11-21T00:00",
    )
    parts = contributions(case, SHANGHAI)
    assert parts[(LI, NOV)] == of(due_to_handle=1, handled=1, handled_late=1, due_to_close=1, closed=1)
    assert (ZHAO, NOV) not in parts


def test_a_deadline_still_ahead_counts_for_whoever_holds_the_case_now():
    case = fact(
        tenures=(tenure("worker-li", "2026-11-10T01:05"), tenure("worker-zhao", "2026-11-12T00:00")),
        close_by="2026-11-20T09:00",
    )
    assert responsible_for_closing(case).holder_id == "worker-zhao"  # type: ignore[union-attr]
    assert responsible_for_handling(case).holder_id == "worker-zhao"  # type: ignore[union-attr]


def test_overdue_and_not_handled_counts_against_the_holder_at_the_deadline_not_a_later_one():
    case = fact(
        tenures=(tenure("worker-li", "2026-11-10T01:05"), tenure("worker-zhao", "2026-11-19T00:00")),
        resolve_by="2026-11-18T09:00",
        clock="2026-11-19T00:00",
    )
    parts = contributions(case, SHANGHAI)
    assert parts[(LI, NOV)].overdue_not_handled == 1
    assert parts.get((ZHAO, NOV), of()).overdue_not_handled == 0


def test_a_rework_counts_against_the_handler_whose_resolution_failed_in_the_month_it_failed():
    case = fact(holder_id="worker-zhao", places=False).model_copy(
        update={"reworks": (Rework(at=at("2026-11-30T17:00"), against=tenure("worker-li")),)}
    )
    parts = contributions(case, SHANGHAI)
    assert parts[(LI, Period(2026, 12))] == of(reworks=1)
    assert parts[(ZHAO, NOV)].reworks == 0
    assert parts[(Subject("grid", "grid-a"), Period(2026, 12))].reworks == 1


def test_a_case_through_several_holders_and_tiers_counts_each_stage_for_the_one_responsible():
    # Li (grid) holds it from dispatch; it goes up to the community officer before the handling deadline,
    # then to the urban-management department after the handling deadline but before the closing one.
    # The department resolves it late and closes it on time.
    case = fact(
        tenures=(
            tenure("worker-li", "2026-11-10T01:05"),
            tenure("officer-sun", "2026-11-12T00:00", role="community_officer", unit_id="community-a"),
            tenure("handler-chen", "2026-11-16T00:00", role="department_handler", unit_id="dept-urban"),
        ),
        resolve_by="2026-11-15T09:00",
        resolved_at="2026-11-17T00:00",
        close_by="2026-11-20T09:00",
        closed_at="2026-11-18T00:00",
        places=True,
    )
    parts = contributions(case, SHANGHAI)
    dept = Subject("department", "dept-urban")
    # Handling was late while the community officer held it: against no person, only the places.
    assert parts[(Subject("community", "community-a"), NOV)] == of(
        due_to_handle=1, handled=1, handled_late=1, due_to_close=1, closed=1, closed_on_time=1
    )
    # Closing on time is the department's.
    assert parts[(dept, NOV)] == of(due_to_close=1, closed=1, closed_on_time=1)
    assert not any(subject == LI for subject, _ in parts)
