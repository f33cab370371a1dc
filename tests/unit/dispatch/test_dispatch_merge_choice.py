"""Among several open cases a report could join, the nearest; then the earliest opened; then the smallest
case id: one answer whatever the order the cases were opened in."""

from __future__ import annotations

import itertools
import uuid

from services.dispatch.domain.merging import METRES_PER_DEGREE, OpenCase, OpenCaseIndex

LON, LAT = 120.1335, 33.3921
GARBAGE = "city_appearance.garbage_overflow"
EAST_10M = 10 / METRES_PER_DEGREE / 0.835  # ~10 m of longitude at this latitude


def case(case_id: str, *, east_m: float, opened_at: float) -> OpenCase:
    return OpenCase(
        case_id=uuid.UUID(case_id),
        report_id=uuid.uuid4(),
        category=GARBAGE,
        lon=LON + east_m / 10 * EAST_10M,
        lat=LAT,
        opened_at=opened_at,
        radius_m=100.0,
        window_s=86_400.0,
    )


def joined(*cases: OpenCase) -> set[uuid.UUID]:
    """The case joined by a report at the reference point, for every order of opening the cases."""
    answers = set()
    for order in itertools.permutations(cases):
        index = OpenCaseIndex()
        for opened in order:
            index.add(opened)
        match = index.match(category=GARBAGE, lon=LON, lat=LAT, at=1_000.0, radius_m=100.0, window_s=86_400.0)
        assert match is not None
        answers.add(match.case.case_id)
    return answers


A = "00000000-0000-4000-8000-00000000000a"
B = "00000000-0000-4000-8000-00000000000b"
C = "00000000-0000-4000-8000-00000000000c"


def test_the_nearest_open_case_is_joined() -> None:
    nearest = case(B, east_m=10, opened_at=500)
    assert joined(case(A, east_m=40, opened_at=100), nearest, case(C, east_m=70, opened_at=50)) == {
        nearest.case_id
    }


def test_at_the_same_distance_the_earliest_opened_case_is_joined() -> None:
    earliest = case(C, east_m=20, opened_at=100)
    assert joined(case(A, east_m=20, opened_at=300), earliest, case(B, east_m=20, opened_at=200)) == {
        earliest.case_id
    }


def test_at_the_same_distance_and_opening_the_smallest_case_id_is_joined() -> None:
    smallest = case(A, east_m=20, opened_at=100)
    assert joined(case(C, east_m=20, opened_at=100), smallest, case(B, east_m=20, opened_at=100)) == {
        smallest.case_id
    }
