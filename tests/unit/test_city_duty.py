"""A shift covers a moment exactly as its days and hours say, however its times were written down."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.city.duty import DAYS, Shift

MINUTES = [0, 15, 30, 59]
clock = st.tuples(st.integers(0, 23), st.sampled_from(MINUTES)).map(lambda hm: f"{hm[0]:02d}:{hm[1]:02d}")
# On the same minutes as the shifts' times, so that moments fall on their starts and ends too.
moments = st.tuples(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)), st.sampled_from(MINUTES)
).map(lambda moment: moment[0].replace(minute=moment[1]))


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def covered(days: tuple[str, ...], starts: str, ends: str, local: datetime) -> bool:
    """The rule spelled out on day names: a shift that ends before it starts runs into the next day."""
    start, end, now = minutes(starts), minutes(ends), local.hour * 60 + local.minute
    today, yesterday = DAYS[local.weekday()], DAYS[(local.weekday() - 1) % 7]
    if start < end:
        return today in days and start <= now < end
    return (today in days and now >= start) or (yesterday in days and now < end)


@settings(max_examples=300, deadline=None)
@given(
    days=st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True),
    starts=clock,
    ends=clock,
    local=moments,
)
def test_a_shift_covers_the_moments_its_days_and_hours_name(
    days: list[str], starts: str, ends: str, local: datetime
) -> None:
    shift = Shift.model_validate({"days": days, "from": starts, "to": ends})
    assert shift.covers(local) == covered(tuple(days), starts, ends, local)


def test_a_range_of_days_covers_every_day_in_it() -> None:
    weekdays = Shift.model_validate({"days": ["mon..fri"], "from": "08:30", "to": "17:30"})
    assert weekdays.covers(datetime(2026, 3, 6, 9, 0))  # a Friday
    assert not weekdays.covers(datetime(2026, 3, 7, 9, 0))  # a Saturday
