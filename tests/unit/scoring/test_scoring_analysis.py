"""Analysis on the case events over in-memory places: a spike raises one hotspot alert and a problem back
near a closed case one recurrence alert, in whatever order one grid's events are consumed."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from services.scoring.analysis import Analysis
from services.scoring.config import load_analysis
from shared.events import decode
from shared.events.analysis import HotspotDetected, RecurrenceDetected
from shared.events.cases import CaseEvent
from shared.settings import REPO_ROOT
from tests.builders import at, case_assigned, case_opened
from tests.unit.scoring.builders import closed
from tests.unit.scoring.fakes import FakeOutbox, FakePlaces

RULES = load_analysis(REPO_ROOT / "city" / "analysis.yaml")
CONN = object()
RUBBISH, NOISE = "city_appearance.garbage_overflow", "dispute.neighbour_noise"


async def consume(events: list[CaseEvent]) -> tuple[list[HotspotDetected | RecurrenceDetected], FakePlaces]:
    places, outbox = FakePlaces(), FakeOutbox()
    analysis = Analysis(places=places, outbox=outbox, rules=RULES)
    for event in events:
        await analysis.on_event(CONN, event)
    return [decode(r.headers, r.value).data for r in outbox.records], places  # type: ignore[misc]


def spike(days: tuple[int, ...] = (10, 11, 12, 13), grid_id: str | None = "g-01") -> list[CaseEvent]:
    return [case_opened(now=at(f"2026-11-{day}T02:00"), category=RUBBISH, grid_id=grid_id) for day in days]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))), ids=str)
async def test_a_spike_raises_one_hotspot_in_whatever_order_its_openings_are_consumed(order):
    openings = spike()
    alerts, _ = await consume([openings[i] for i in order])

    assert len(alerts) == 1
    hotspot = alerts[0]
    assert isinstance(hotspot, HotspotDetected)
    assert (hotspot.grid_id, hotspot.category, hotspot.baseline_count, hotspot.expected) == (
        "g-01",
        RUBBISH,
        0,
        "0.00",
    )
    assert hotspot.count >= 3
    assert set(hotspot.case_ids) <= {event.case_id for event in openings}


async def test_a_grid_at_its_usual_rate_raises_no_hotspot():
    # Two a week for the eight weeks before: three in the window is more than usual, not twice as many.
    start = at("2026-11-13T02:00") - timedelta(days=60)
    usual = [case_opened(now=start + timedelta(days=3.5 * n), category=RUBBISH) for n in range(16)]
    alerts, _ = await consume([*usual, *spike((11, 12, 13))])
    assert alerts == []


async def test_a_spell_raises_its_alert_once_however_long_it_lasts():
    alerts, _ = await consume(spike((10, 11, 12, 13, 14, 15, 16)))
    assert [type(alert) for alert in alerts] == [HotspotDetected]


async def test_cases_in_no_grid_raise_no_hotspot_but_keep_their_place():
    alerts, places = await consume(spike(grid_id=None))
    assert alerts == []
    assert len(places.places) == 4


@pytest.mark.parametrize("closing_first", [True, False], ids=["closing-first", "reopening-first"])
async def test_a_problem_back_near_a_closed_case_is_one_recurrence_whichever_is_consumed_first(
    closing_first: bool,
):
    first = case_opened(now=at("2026-11-01T02:00"), category=NOISE)
    first_closed = closed(at_="2026-11-06T02:00", case_id=first.case_id)
    again = case_opened(now=at("2026-11-20T02:00"), category=NOISE)
    order = [first, first_closed, again] if closing_first else [first, again, first_closed]

    alerts, places = await consume(order)

    assert [(a.case_id, a.earlier_case_id, a.distance_m) for a in alerts] == [  # type: ignore[union-attr]
        (again.case_id, first.case_id, 0.0)
    ]
    assert places.places[again.case_id].recurrence_of == first.case_id


async def test_a_case_closed_longer_ago_than_the_rules_allow_is_not_repeated():
    first = case_opened(now=at("2026-09-01T02:00"), category=NOISE)
    alerts, _ = await consume(
        [
            first,
            closed(at_="2026-09-02T02:00", case_id=first.case_id),
            case_opened(now=at("2026-11-20T02:00"), category=NOISE),
        ]
    )
    assert alerts == []


@pytest.mark.parametrize("closing_first", [True, False], ids=["closing-first", "reopening-first"])
async def test_a_case_placed_only_by_its_address_is_never_compared(closing_first: bool):
    first = case_opened(now=at("2026-11-01T02:00"), category=NOISE, location=None)
    first_closed = closed(at_="2026-11-06T02:00", case_id=first.case_id)
    again = case_opened(now=at("2026-11-20T02:00"), category=NOISE, location=None)
    alerts, _ = await consume([first, first_closed, again] if closing_first else [first, again, first_closed])
    assert alerts == []


async def test_a_case_triaged_into_another_grid_moves_its_place():
    opening = case_opened(now=at("2026-11-01T02:00"))
    _, places = await consume(
        [opening, case_assigned(now=at("2026-11-01T03:00"), case_id=opening.case_id, grid_id="g-02")]
    )
    assert places.places[opening.case_id].grid_id == "g-02"
