from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain import Period, contributions, count
from services.scoring.domain.closure import Contribution
from shared.events.assessments import ClosureCounters
from tests.unit.scoring.builders import fact

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV, DEC = Period(2026, 11), Period(2026, 12)


def counters(due: int, closed: int, on_time: int) -> ClosureCounters:
    return ClosureCounters(due_to_close=due, closed=closed, closed_on_time=on_time)


def test_an_open_case_is_due_to_close_in_the_month_of_its_deadline_and_not_closed():
    case = fact(close_by="2026-11-20T09:00")
    assert contributions(case, SHANGHAI) == {NOV: Contribution(True, False, False)}


def test_a_case_closed_before_its_deadline_in_the_same_month_is_closed_on_time():
    case = fact(close_by="2026-11-20T09:00", closed_at="2026-11-12T02:00")
    assert contributions(case, SHANGHAI) == {NOV: Contribution(True, True, True)}


def test_a_case_closed_exactly_at_its_deadline_is_on_time():
    case = fact(close_by="2026-11-20T09:00", closed_at="2026-11-20T09:00")
    assert contributions(case, SHANGHAI) == {NOV: Contribution(True, True, True)}


def test_a_case_closed_late_in_the_same_month_is_closed_but_not_on_time():
    case = fact(close_by="2026-11-20T09:00", closed_at="2026-11-21T09:00")
    assert contributions(case, SHANGHAI) == {NOV: Contribution(True, True, False)}


def test_a_case_closed_late_in_the_next_month_is_due_in_both_and_closed_only_in_the_second():
    case = fact(close_by="2026-11-28T09:00", closed_at="2026-12-03T09:00")
    assert contributions(case, SHANGHAI) == {
        NOV: Contribution(True, False, False),
        DEC: Contribution(True, True, False),
    }


def test_a_case_closed_early_in_the_month_before_its_deadline_counts_only_where_it_was_closed_on_time():
    case = fact(close_by="2026-12-03T09:00", closed_at="2026-11-28T09:00")
    assert contributions(case, SHANGHAI) == {
        NOV: Contribution(True, True, True),
        DEC: Contribution(True, False, False),
    }


def test_closing_at_17_utc_on_30_november_counts_for_december_in_shanghai():
    case = fact(close_by="2026-12-05T00:00", closed_at="2026-11-30T17:00")
    assert contributions(case, SHANGHAI) == {DEC: Contribution(True, True, True)}


def test_a_deadline_at_17_utc_on_30_november_is_due_in_december_in_shanghai():
    case = fact(close_by="2026-11-30T17:00")
    assert count([case], NOV, SHANGHAI) == counters(0, 0, 0)
    assert count([case], DEC, SHANGHAI) == counters(1, 0, 0)


def test_counters_add_up_the_cases_of_a_period():
    cases = [
        fact(close_by="2026-11-20T09:00", closed_at="2026-11-12T02:00"),  # on time
        fact(close_by="2026-11-20T09:00", closed_at="2026-11-25T02:00"),  # late, same month
        fact(close_by="2026-11-28T09:00", closed_at="2026-12-02T02:00"),  # late, next month
        fact(close_by="2026-11-29T09:00"),  # still open
        fact(close_by="2026-12-15T09:00"),  # due next month: not November's
    ]
    assert count(cases, NOV, SHANGHAI) == counters(4, 2, 1)
    assert count(cases, DEC, SHANGHAI) == counters(2, 1, 0)


def test_a_period_without_cases_counts_zero():
    assert count([], NOV, SHANGHAI) == counters(0, 0, 0)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31),
).map(lambda d: d.isoformat(timespec="seconds"))


@given(close_by=instants, closed_at=st.none() | instants)
def test_a_case_is_due_wherever_it_counts_and_closed_at_most_once(close_by, closed_at):
    case = fact(close_by=close_by, closed_at=closed_at)
    parts = contributions(case, SHANGHAI)
    assert all(part.due_to_close for part in parts.values())
    assert sum(part.closed for part in parts.values()) == (closed_at is not None)
    assert all(part.closed or not part.closed_on_time for part in parts.values())
    assert 1 <= len(parts) <= 2
