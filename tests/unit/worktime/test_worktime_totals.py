"""The running totals give every deadline a day-by-day walk of the calendar gives, whatever the order in
which deadlines are asked for and whichever district asks (each district's days are its own)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.worktime import DayRules, WorkCalendar, add_working_time
from tests.unit.worktime.conftest import HOUR, SHANGHAI, at

# Tinghu takes the second week of March 2026 off; Yandu works the weekend after it.
TINGHU_OFF = frozenset(date(2026, 3, 9) + timedelta(days=n) for n in range(5))
YANDU_ON = frozenset({date(2026, 3, 14), date(2026, 3, 15)})


def calendar() -> WorkCalendar:
    return WorkCalendar.national(
        districts={"d-tinghu": DayRules(TINGHU_OFF), "d-yandu": DayRules(working_days=YANDU_ON)}
    )


def walked(start: datetime, amount: timedelta, calendar: WorkCalendar, district_id: str | None) -> datetime:
    """The deadline by walking the calendar a day and a period at a time (the reference)."""
    remaining, day = amount, start.astimezone(SHANGHAI).date()
    while True:
        for opens, closes in calendar.working_periods(day, district_id):
            opens = max(opens, start)
            if opens >= closes:
                continue
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(start.tzinfo)
            remaining -= closes - opens
        day += timedelta(days=1)


def test_a_districts_days_off_are_not_another_districts() -> None:
    shared = calendar()
    start = at(2026, 3, 6, 17, 0)  # Friday, half an hour before closing
    assert add_working_time(start, HOUR, calendar=shared, district_id="d-tinghu") == at(2026, 3, 16, 9, 0)
    assert add_working_time(start, HOUR, calendar=shared, district_id=None) == at(2026, 3, 9, 9, 0)
    assert add_working_time(start, HOUR, calendar=shared, district_id="d-tinghu") == at(2026, 3, 16, 9, 0)


def test_a_deadline_asked_for_before_the_days_already_counted_starts_from_its_own_day() -> None:
    shared = calendar()
    later = add_working_time(at(2026, 3, 20, 10, 0), 10 * HOUR, calendar=shared, district_id="d-yandu")
    earlier = add_working_time(at(2026, 3, 13, 17, 0), 3 * HOUR, calendar=shared, district_id="d-yandu")
    assert later == at(2026, 3, 23, 15, 0)  # 5.5 h on Friday the 20th, the weekend off, 4.5 h Monday
    assert earlier == at(2026, 3, 14, 11, 0)  # Yandu's working Saturday


starts = st.datetimes(min_value=datetime(2025, 9, 1), max_value=datetime(2026, 10, 31)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)
amounts = st.integers(min_value=0, max_value=15 * 7 * 60).map(lambda minutes: timedelta(minutes=minutes))
districts = st.sampled_from([None, "d-tinghu", "d-yandu"])


@settings(max_examples=200, deadline=None)
@given(asks=st.lists(st.tuples(starts, amounts, districts), min_size=1, max_size=12))
def test_deadlines_in_any_order_and_district_are_those_of_a_walk_of_the_calendar(
    asks: list[tuple[datetime, timedelta, str | None]],
) -> None:
    shared, reference = calendar(), calendar()
    for start, amount, district_id in asks:
        due = add_working_time(start, amount, calendar=shared, district_id=district_id)
        assert due == walked(start, amount, reference, district_id)
