"""Tiered handling's events in the assessment: approved extensions, deferrals and returns count against
who asked, a moved deadline moves lateness, an approved timeout appeal exempts the case, an approved void
takes the case out, a hand-over names the new holder's role, callbacks count against whom they name."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.scoring.domain import Period, Subject, contributions
from services.scoring.domain.counters import NO_CASES
from services.scoring.domain.facts import CaseFact
from services.scoring.domain.transitions import apply_event
from shared.events.cases import CaseCallbackRecorded, CaseEscalated, CaseRequestDecided
from tests.builders import at, case_acted
from tests.unit.scoring.builders import CASE, assigned, closed, opened, resolved

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = Period(2026, 11)
LI, GRID = Subject("grid_worker", "worker-li"), Subject("grid", "grid-a")


def acted(event_type: type[Any], when: str, **extra: Any) -> Any:
    """A step on ``CASE`` by the grid chief, worker-li holding it."""
    fields: dict[str, Any] = {
        "case_id": CASE,
        "actor_id": "chief-wang",
        "actor_role": "grid_chief",
        "holder_id": "worker-li",
        "close_by": at("2026-11-20T09:00"),
    }
    return case_acted(event_type, now=at(when), **(fields | extra))


def decided(
    kind: str, when: str = "2026-11-12T01:00", approved: bool = True, **extra: Any
) -> CaseRequestDecided:
    event: CaseRequestDecided = acted(
        CaseRequestDecided,
        when,
        kind=kind,
        approved=approved,
        requested_by="worker-li",
        requested_role="grid_worker",
        requested_at=at("2026-11-11T01:00"),
        **extra,
    )
    return event


def case(*events: Any) -> CaseFact:
    fact = apply_event(apply_event(None, opened()), assigned())
    for event in events:
        fact = apply_event(fact, event)
    return fact


def counters(fact: CaseFact, subject: Subject = LI, period: Period = NOV) -> Any:
    return contributions(fact, SHANGHAI).get((subject, period), NO_CASES)


def test_an_approved_extension_counts_against_who_asked_in_the_month_it_was_approved():
    fact = case(decided("extension", resolve_by=at("2026-11-25T09:00")))

    assert counters(fact).extensions == 1
    assert counters(fact, GRID).extensions == 1


def test_a_rejected_request_counts_for_nothing():
    fact = case(decided("extension", approved=False), decided("return", approved=False))

    assert (counters(fact).extensions, counters(fact).returns) == (0, 0)


def test_approved_deferrals_and_returns_are_counted_apart():
    fact = case(decided("deferral"), decided("return", when="2026-11-13T01:00"))

    assert (counters(fact).deferrals, counters(fact).returns, counters(fact).extensions) == (1, 1, 0)


def test_an_extension_moves_the_handling_deadline_so_a_resolution_before_the_new_one_is_on_time():
    late = case(resolved(at_="2026-11-22T02:00"))
    extended = case(decided("extension", resolve_by=at("2026-11-25T09:00")), resolved(at_="2026-11-22T02:00"))

    assert (counters(late).handled_late, counters(late).handled_on_time) == (1, 0)
    assert (counters(extended).handled_late, counters(extended).handled_on_time) == (0, 1)


def test_an_approved_timeout_appeal_exempts_the_case_from_lateness():
    fact = case(
        resolved(at_="2026-11-22T02:00"),
        decided("appeal", when="2026-11-23T01:00", exempt_from_lateness=True),
    )

    assert (counters(fact).handled_late, counters(fact).handled_on_time) == (0, 1)


def test_an_approved_void_takes_the_case_out_and_its_report_is_not_valid():
    fact = case(decided("void"))
    reporter = Subject("reporter", "resident:resident-1")

    assert counters(fact) == NO_CASES
    assert counters(fact, GRID) == NO_CASES
    assert (counters(fact, reporter).reports, counters(fact, reporter).valid_reports) == (1, 0)


def test_an_escalation_hands_the_case_to_a_department_handler_who_then_counts_for_the_department():
    escalated = acted(
        CaseEscalated,
        "2026-11-11T01:00",
        holder_id="dh-zhang",
        previous_holder_id="worker-li",
        holder_role="department_handler",
        unit_id="dept-urban",
        from_tier="grid",
        to_tier="district",
        automatic=True,
    )
    fact = case(escalated, resolved(holder_id="dh-zhang"), closed(holder_id="dh-zhang"))

    assert counters(fact, Subject("department", "dept-urban")).closed == 1
    assert counters(fact).closed == 0


def callback(when: str, satisfied: bool, **extra: Any) -> CaseCallbackRecorded:
    fields = {
        "satisfaction": 4 if satisfied else 1,
        "satisfied": satisfied,
        "handler_caused": False,
        "reopened": False,
    }
    event: CaseCallbackRecorded = acted(CaseCallbackRecorded, when, **(fields | extra))
    return event


def test_callbacks_count_against_the_resolver_and_the_satisfied_ones_too():
    fact = case(resolved(), closed(), callback("2026-11-13T01:00", True), callback("2026-11-14T01:00", False))

    assert (counters(fact).callbacks, counters(fact).satisfied_callbacks) == (2, 1)


def test_dissatisfaction_the_handler_caused_reopens_the_case():
    fact = case(
        resolved(),
        closed(),
        callback("2026-11-13T01:00", False, handler_caused=True, reopened=True, against="worker-li"),
    )

    assert (fact.resolved_at, fact.closed_at) == (None, None)
    assert (counters(fact).closed, counters(fact).handled, counters(fact).callbacks) == (0, 0, 1)


def test_the_deadline_sweep_sees_a_moved_deadline():
    fact = case(decided("extension", resolve_by=at("2026-11-25T09:00")))

    assert fact.resolve_by == datetime.fromisoformat("2026-11-25T09:00:00+00:00")
