"""A report whose point places it in no grid — or that has no point, only an address — is placed by its
address where the gazetteer knows it: in its community, handled there (or by the owning department) and
verified by a supervisor; otherwise it waits for manual triage. A point in a grid always wins over the
address. A report without a point never merges."""

from __future__ import annotations

import uuid
from typing import Any

from services.dispatch.domain import case_id_for, dispatch_report, locate
from services.dispatch.domain.outcomes import Opened, Voided
from services.dispatch.handlers import Dispatched, handle_report_submitted
from services.handling.domain import DEFAULT_POLICY, SYSTEM_ROLE, Actor, Assign, State, apply, open_case
from shared.events import decode, encode
from shared.events.cases import CaseAssigned, CaseOpened
from shared.events.triage import ReportVoided
from tests.unit.dispatch.conftest import (
    CITY,
    NANJING,
    RULES,
    SUBMITTED_AT,
    city_with,
    fresh_triage,
    make_report,
    point_in,
)

YULONG = "c-tinghu-wenfeng-yulong"
ADDRESS = "亭湖区 毓龙西路 18 号"  # in Yulong community, by the gazetteer


def dispatched(**fields: Any) -> Dispatched:
    report = make_report(**{"location": NANJING, "reporter_id": f"r-{uuid.uuid4().hex[:8]}", **fields})
    record = encode(report, source="/gridloop/intake")
    return handle_report_submitted(
        decode(record.headers, record.value), city=CITY, rules=RULES, triage=fresh_triage(), sla_scale=1.0
    )


def test_a_report_in_no_grid_is_placed_in_the_community_its_address_names() -> None:
    result = dispatched(address=ADDRESS, category="dispute.neighbour_noise")  # a grid-tier category

    opened, assigned = result.opened, result.assigned
    assert isinstance(opened, CaseOpened)
    assert (opened.grid_id, opened.community_id) == (None, YULONG)
    assert (opened.street_id, opened.district_id) == ("s-tinghu-wenfeng", "d-tinghu")
    assert opened.tier == "community"  # no grid worker to take it: the community's
    assert isinstance(assigned, CaseAssigned)
    assert (assigned.assignee_id, assigned.tier, assigned.unit_id) == (
        "co-tinghu-wenfeng-yulong",
        "community",
        YULONG,
    )
    assert assigned.grid_id is None
    assert CITY.person(assigned.verifier_id).role == "supervisor"


def test_a_category_beyond_the_community_goes_to_its_department_by_address_too() -> None:
    result = dispatched(address=ADDRESS, category="public_facility.manhole_cover")

    assert result.opened is not None
    assert result.opened.tier == "district"
    assert result.assigned is not None
    assert (result.assigned.assignee_role, result.assigned.unit_id) == (
        "department_handler",
        "dept-utilities",
    )


def test_an_address_the_gazetteer_cannot_place_goes_to_manual_triage() -> None:
    for address in ("南京市鼓楼区中山路1号", "毓龙社区和青年社区之间", None):
        result = dispatched(address=address)

        assert result.opened is not None
        assert (result.opened.community_id, result.opened.tier) == (None, "district")
        assert result.assigned is None


def test_a_point_in_a_grid_wins_over_the_address() -> None:
    result = dispatched(location=point_in("g-yandu-xindu-01"), address=ADDRESS)

    assert result.opened is not None
    assert result.opened.grid_id == "g-yandu-xindu-01"


def test_an_address_alone_places_a_report_when_there_is_no_point() -> None:
    where = locate(CITY, None, "解放南路300号")

    assert (where.grid_id, where.community_id, where.placed) == (None, "c-tinghu-wenfeng-qingnian", True)
    assert locate(CITY, None, None).placed is False


def test_a_community_without_an_officer_sends_an_address_placed_case_to_manual_triage() -> None:
    people = tuple(p for p in CITY.people if not (p.role == "community_officer" and p.unit_id == YULONG))
    city = city_with(people=people)
    report = make_report(location=NANJING, address=ADDRESS, category="dispute.neighbour_noise")

    events = dispatch_report(report, city=city, dispatched_at=SUBMITTED_AT)

    assert [type(e.event) for e in events] == [CaseOpened]


def test_handling_takes_a_case_placed_by_address_to_its_community_officer() -> None:
    report = make_report(location=NANJING, address=ADDRESS, category="dispute.neighbour_noise")
    opened_out, assigned_out = dispatch_report(report, city=CITY, dispatched_at=SUBMITTED_AT)
    opened, assigned = opened_out.event, assigned_out.event
    assert isinstance(opened, CaseOpened)
    assert isinstance(assigned, CaseAssigned)
    system = Actor(id="/gridloop/dispatch", role=SYSTEM_ROLE)
    case = open_case(opened, event_id=opened_out.event_id, actor=system, now=SUBMITTED_AT)
    command = Assign.of(assigned, event_id=assigned_out.event_id)

    after, _ = apply(case, command, system, SUBMITTED_AT, DEFAULT_POLICY)

    assert after.state is State.ASSIGNED
    assert (after.assignee_id, after.community_id, after.grid_id) == (
        "co-tinghu-wenfeng-yulong",
        YULONG,
        None,
    )


# --- reports with an address and no point at all (the 12345 hotline) --------------------------------------


def address_only(address: str | None, **fields: Any) -> Any:
    return make_report(location=None, address=address, **fields)


def test_an_address_only_report_opens_a_case_in_its_community_with_no_point() -> None:
    result = dispatched(location=None, address=ADDRESS, category="dispute.neighbour_noise")

    assert isinstance(result.outcome, Opened)
    opened, assigned = result.opened, result.assigned
    assert opened is not None
    assert (opened.location, opened.grid_id, opened.community_id) == (None, None, YULONG)
    assert opened.tier == "community"
    assert assigned is not None
    assert (assigned.assignee_id, assigned.unit_id) == ("co-tinghu-wenfeng-yulong", YULONG)


def test_an_address_only_report_the_gazetteer_cannot_place_waits_for_manual_triage() -> None:
    result = dispatched(location=None, address="南京市鼓楼区中山路1号")

    opened = result.opened
    assert opened is not None
    assert (opened.location, opened.community_id, opened.tier) == (None, None, "district")
    assert result.assigned is None


def test_address_only_reports_never_merge_even_at_the_same_address() -> None:
    triage = fresh_triage()
    garbage = "city_appearance.garbage_overflow"  # merges within 100 m
    first, second = (address_only(ADDRESS, category=garbage, reporter_id=f"r-{i}") for i in (1, 2))
    beside = make_report(category=garbage, reporter_id="r-3", location=point_in("g-tinghu-wenfeng-01"))

    outcomes = [
        triage.decide(r, CITY.category(garbage), case_id_for(r.report_id))[0] for r in (first, second, beside)
    ]

    assert [type(o) for o in outcomes] == [Opened, Opened, Opened]
    assert len(triage.index) == 1  # only the case with a point is a merge target


def test_an_address_only_report_that_is_voided_carries_no_point() -> None:
    result = dispatched(location=None, address=ADDRESS, category="no.such_category")

    assert isinstance(result.outcome, Voided)
    (record,) = result.records
    voided = decode(record.headers, record.value).data
    assert isinstance(voided, ReportVoided)
    assert voided.location is None
