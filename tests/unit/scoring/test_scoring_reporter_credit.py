"""Reporter credit: every report that opened or joined a case credits its reporter as a valid report, a
voided report is a report that was not valid, a patrolling grid worker's reports count for them as a grid
worker too, and closed service tasks credit volunteer minutes to whoever handled them."""

from zoneinfo import ZoneInfo

from services.scoring.domain import Period, Subject, contributions, count
from services.scoring.domain.counters import NO_CASES
from services.scoring.domain.facts import CaseFact
from services.scoring.domain.folding import CityRules, fold
from services.scoring.domain.reports import VoidedReport, apply
from services.scoring.domain.transitions import apply_event
from tests.unit.scoring.builders import assigned, closed, merged, opened, resolved, voided

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV, DEC, Y2026 = Period(2026, 11), Period(2026, 12), Period(2026, 1, "year")
RESIDENT = Subject("reporter", "resident:resident-1")
RIDER = Subject("reporter", "delivery_rider:rider-7")


def folded(events, rules: CityRules) -> CaseFact | VoidedReport:
    fact = None
    for event in events:
        fact = fold(fact, event, rules)
    assert fact is not None
    return fact


def reports(fact, subject: Subject, period: Period = NOV) -> tuple[int, int]:
    counters = contributions(fact, SHANGHAI).get((subject, period), NO_CASES)
    return counters.reports, counters.valid_reports


def test_the_report_that_opened_a_case_is_a_valid_report_of_its_reporter():
    assert reports(apply_event(None, opened()), RESIDENT) == (1, 1)


def test_a_merged_duplicate_credits_its_reporter_and_counts_once_as_a_case():
    fact = apply_event(apply_event(None, opened()), merged())

    assert reports(fact, RESIDENT) == (1, 1)
    assert reports(fact, RIDER) == (1, 1)
    grid = contributions(fact, SHANGHAI)[(Subject("grid", "grid-a"), NOV)]
    assert (grid.due_to_close, grid.reports) == (1, 0)


def test_the_same_merge_delivered_twice_credits_once():
    merge = merged()
    once = apply_event(apply_event(None, opened()), merge)

    assert apply_event(once, merge) == once


def test_a_voided_report_is_a_report_but_not_a_valid_one_in_the_month_it_was_made():
    fact = apply(None, voided(at_="2026-11-30T17:00"))  # 1 December in Shanghai

    assert isinstance(fact, VoidedReport)
    assert reports(fact, RIDER, DEC) == (1, 0)
    assert reports(fact, RIDER, NOV) == (0, 0)
    assert reports(fact, RIDER, Y2026) == (1, 0)


def test_a_patrolling_grid_workers_report_counts_for_them_as_a_grid_worker_too():
    fact = apply_event(
        apply_event(None, opened()), merged(reporter_id="worker-zhao", source_type="grid_worker")
    )

    assert reports(fact, Subject("grid_worker", "worker-zhao")) == (1, 1)
    assert reports(fact, Subject("reporter", "grid_worker:worker-zhao")) == (1, 1)


def test_reporter_credit_over_many_cases_adds_up_from_scratch():
    first = apply_event(apply_event(None, opened()), merged())
    facts = [first, apply(None, voided(at_="2026-11-20T01:00")), apply(None, voided(at_="2026-11-21T01:00"))]

    assert count(facts, SHANGHAI)[(RIDER, NOV)].model_dump(include={"reports", "valid_reports"}) == {
        "reports": 3,
        "valid_reports": 1,
    }


def test_a_closed_service_task_credits_its_minutes_to_whoever_handled_it_in_the_month_it_closed():
    rules = CityRules(service_minutes={"people.elderly_alone_help": 120})
    events = [
        opened().model_copy(update={"category": "people.elderly_alone_help"}),
        assigned(),
        resolved(),
        closed(at_="2026-11-30T17:00"),
    ]
    fact = folded(events, rules)

    worker = contributions(fact, SHANGHAI)
    assert worker[(Subject("grid_worker", "worker-li"), DEC)].service_minutes == 120
    assert (Subject("grid_worker", "worker-li"), NOV) not in worker or (
        worker[(Subject("grid_worker", "worker-li"), NOV)].service_minutes == 0
    )


def test_an_open_service_task_credits_nothing_yet():
    rules = CityRules(service_minutes={"people.elderly_alone_help": 120})
    task = opened().model_copy(update={"category": "people.elderly_alone_help"})
    fact = folded([task, assigned(), resolved()], rules)

    assert all(c.service_minutes == 0 for c in contributions(fact, SHANGHAI).values())
