"""The counting rules: what one case adds to each period's counters, and the whole from scratch."""

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain import Period, Subject, changes, contributions, count
from services.scoring.domain.counters import NO_CASES
from services.scoring.domain.facts import Rework
from tests.builders import at
from tests.unit.scoring.builders import fact, tenure

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV, DEC = Period(2026, 11), Period(2026, 12)
Q4, Y2026 = Period(2026, 4, "quarter"), Period(2026, 1, "year")
GRID = Subject("grid", "grid-a")


def closing(case, period: Period) -> tuple[int, int, int]:
    counters = contributions(case, SHANGHAI).get((GRID, period), NO_CASES)
    return counters.due_to_close, counters.closed, counters.closed_on_time


def handling(case, period: Period) -> tuple[int, int, int, int, int]:
    c = contributions(case, SHANGHAI).get((GRID, period), NO_CASES)
    return c.due_to_handle, c.handled, c.handled_on_time, c.handled_late, c.overdue_not_handled


def test_an_open_case_is_due_to_close_in_the_month_of_its_deadline_and_not_closed():
    assert closing(fact(close_by="2026-11-20T09:00"), NOV) == (1, 0, 0)


def test_a_case_closed_before_its_deadline_in_the_same_month_is_closed_on_time():
    assert closing(fact(close_by="2026-11-20T09:00", closed_at="2026-11-12T02:00"), NOV) == (1, 1, 1)


def test_a_case_closed_exactly_at_its_deadline_is_on_time():
    assert closing(fact(close_by="2026-11-20T09:00", closed_at="2026-11-20T09:00"), NOV) == (1, 1, 1)


def test_a_case_closed_late_in_the_same_month_is_closed_but_not_on_time():
    assert closing(fact(close_by="2026-11-20T09:00", closed_at="2026-11-21T09:00"), NOV) == (1, 1, 0)


def test_a_case_closed_late_in_the_next_month_is_due_in_both_and_closed_only_in_the_second():
    case = fact(close_by="2026-11-28T09:00", closed_at="2026-12-03T09:00")
    assert (closing(case, NOV), closing(case, DEC)) == ((1, 0, 0), (1, 1, 0))


def test_the_same_case_is_due_once_in_its_quarter_and_year_not_once_per_month():
    case = fact(close_by="2026-11-28T09:00", closed_at="2026-12-03T09:00")
    assert closing(case, Q4) == (1, 1, 0)
    assert closing(case, Y2026) == (1, 1, 0)


def test_a_case_closed_early_in_the_month_before_its_deadline_counts_only_where_it_was_closed_on_time():
    case = fact(close_by="2026-12-03T09:00", closed_at="2026-11-28T09:00")
    assert (closing(case, NOV), closing(case, DEC)) == ((1, 1, 1), (1, 0, 0))


def test_closing_at_17_utc_on_30_november_counts_for_december_in_shanghai():
    case = fact(close_by="2026-12-05T00:00", closed_at="2026-11-30T17:00")
    assert (closing(case, NOV), closing(case, DEC)) == ((0, 0, 0), (1, 1, 1))


def test_handling_counts_on_time_and_late_against_the_handling_deadline():
    on_time = fact(resolve_by="2026-11-15T09:00", resolved_at="2026-11-15T09:00")
    late = fact(resolve_by="2026-11-15T09:00", resolved_at="2026-11-16T09:00")
    assert handling(on_time, NOV) == (1, 1, 1, 0, 0)
    assert handling(late, NOV) == (1, 1, 0, 1, 0)


def test_a_case_not_handled_is_overdue_only_once_its_deadline_is_known_to_have_passed():
    waiting = fact(resolve_by="2026-11-15T09:00", clock="2026-11-15T09:00")
    overdue = fact(resolve_by="2026-11-15T09:00", clock="2026-11-15T09:00:01")
    assert handling(waiting, NOV) == (1, 0, 0, 0, 0)
    assert handling(overdue, NOV) == (1, 0, 0, 0, 1)


def test_handled_late_in_the_next_month_is_due_and_late_there_and_due_unhandled_where_it_was_due():
    case = fact(resolve_by="2026-11-29T09:00", resolved_at="2026-12-02T09:00", clock="2026-12-02T09:00")
    assert handling(case, NOV) == (1, 0, 0, 0, 0)
    assert handling(case, DEC) == (1, 1, 0, 1, 0)


def test_an_approved_timeout_appeal_makes_late_handling_and_closing_on_time_and_nothing_overdue():
    late = fact(
        resolve_by="2026-11-15T09:00", resolved_at="2026-11-16T09:00", closed_at="2026-11-21T00:00"
    ).model_copy(update={"lateness_exempt": True})
    assert handling(late, NOV) == (1, 1, 1, 0, 0)
    assert closing(late, NOV) == (1, 1, 1)
    unhandled = fact(resolve_by="2026-11-15T09:00", clock="2026-11-20T00:00").model_copy(
        update={"lateness_exempt": True}
    )
    assert handling(unhandled, NOV) == (1, 0, 0, 0, 0)


def test_each_rework_counts_once_in_the_period_it_happened():
    case = fact().model_copy(
        update={
            "reworks": (
                Rework(at=at("2026-11-11T05:00"), against=tenure("worker-li")),
                Rework(at=at("2026-11-12T05:00"), against=tenure("worker-li")),
            )
        }
    )
    assert contributions(case, SHANGHAI)[(GRID, NOV)].reworks == 2
    assert contributions(case, SHANGHAI)[(GRID, Q4)].reworks == 2


def test_counting_from_scratch_adds_up_the_cases_of_each_period():
    cases = [
        fact(close_by="2026-11-20T09:00", closed_at="2026-11-12T02:00"),  # on time
        fact(close_by="2026-11-20T09:00", closed_at="2026-11-25T02:00"),  # late, same month
        fact(close_by="2026-11-28T09:00", closed_at="2026-12-02T02:00"),  # late, next month
        fact(close_by="2026-11-29T09:00"),  # still open
        fact(close_by="2026-12-15T09:00"),  # due next month: not November's
    ]
    totals = count(cases, SHANGHAI)
    assert (
        totals[(GRID, NOV)].due_to_close,
        totals[(GRID, NOV)].closed,
        totals[(GRID, NOV)].closed_on_time,
    ) == (
        4,
        2,
        1,
    )
    assert (totals[(GRID, DEC)].due_to_close, totals[(GRID, DEC)].closed) == (2, 1)
    assert totals[(GRID, Q4)].due_to_close == 5


def test_a_reassignment_before_the_deadline_moves_the_case_from_one_workers_results_to_the_others():
    before = fact(holder_id="worker-li")
    after = fact(tenures=(tenure("worker-li"), tenure("worker-zhao", "2026-11-12T00:00")))
    moved = changes(contributions(before, SHANGHAI), contributions(after, SHANGHAI))
    li, zhao = Subject("grid_worker", "worker-li"), Subject("grid_worker", "worker-zhao")
    assert moved[(li, NOV)][:1] == (-1,)
    assert moved[(zhao, NOV)][:1] == (1,)
    assert (GRID, NOV) not in moved  # the grid's figures did not change


instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.isoformat(timespec="seconds")
)


@given(
    deadline=instants,
    done=st.none() | instants,
    clock=instants,
)
def test_every_period_kind_sees_a_case_due_once_done_at_most_once_and_on_time_or_late_never_both(
    deadline, done, clock
):
    case = fact(resolve_by=deadline, close_by=deadline, resolved_at=done, closed_at=done, clock=clock)
    parts = contributions(case, SHANGHAI)
    for kind in ("month", "quarter", "year"):
        mine = [c for (subject, period), c in parts.items() if subject == GRID and period.kind == kind]
        assert sum(c.handled for c in mine) == sum(c.closed for c in mine) == (done is not None)
        assert all(c.handled_on_time + c.handled_late == c.handled for c in mine)
        assert all(c.closed_on_time <= c.closed <= c.due_to_close for c in mine)
        assert 1 <= len(mine) <= 2
        assert sum(c.overdue_not_handled for c in mine) <= (done is None)
