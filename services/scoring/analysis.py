"""Analysis on the case events, in the consumer's transaction: each opened case's place is kept, and its
opening may raise a hotspot or a recurrence alert (``domain/hotspots.py`` and ``domain/recurrence.py``
decide; the outbox publishes on ``gridloop.alerts``). Closings and grid changes keep the places current
for the checks and the trend API.

Counting goes by the cases' own times, so a late event is counted where it belongs. Cases of one grid sit
in different partitions (keyed by case id) and may be consumed out of order: a hotspot check counts the
window ending at its anchor (``hotspots.anchor_reach``), so whichever order they come in, the spell is
found once all are in; a replay in another interleaving may raise the spell's one alert at another of its
cases (with the count seen then). A recurrence is looked for both when a case is opened (against cases
closed before it) and when a case is closed (against cases already opened after it), so it is found in
either order too.
"""

from __future__ import annotations

import asyncpg

from services.scoring.domain.hotspots import AnalysisRules, anchor_reach, hotspot_alert, spell_of, windows
from services.scoring.domain.places import Place, place_of
from services.scoring.domain.recurrence import ClosedNearby, recurrence_alert, repeats
from services.scoring.ports import Outbox, PlaceStore
from services.scoring.publisher import alert_record
from shared.events import KafkaRecord
from shared.events.cases import CaseAssigned, CaseClosed, CaseEvent, CaseOpened


class Analysis:
    def __init__(self, *, places: PlaceStore, outbox: Outbox, rules: AnalysisRules) -> None:
        self._places = places
        self._outbox = outbox
        self._rules = rules

    async def on_event(self, conn: asyncpg.Connection, event: CaseEvent) -> None:
        if isinstance(event, CaseOpened):
            await self._outbox.put(conn, await self._opened(conn, place_of(event)))
        elif isinstance(event, CaseClosed):
            closed = await self._places.close(conn, event.case_id, event.occurred_at)
            # A case without a point (its report gave only an address) is never compared for recurrence.
            if closed is not None and closed.grid_id is not None and closed.point is not None:
                await self._outbox.put(conn, await self._came_back(conn, closed))
        elif isinstance(event, CaseAssigned) and event.grid_id is not None:
            await self._places.move(conn, event.case_id, event.grid_id)

    async def _opened(self, conn: asyncpg.Connection, place: Place) -> list[KafkaRecord]:
        fresh = await self._places.add(conn, place)
        # Hotspots are per grid: a case in no grid counts in none.
        if not fresh or place.grid_id is None:
            return []
        recurrence = await self._recurrence(conn, place)
        return [r for r in (recurrence, await self._hotspot(conn, place)) if r]

    async def _recurrence(self, conn: asyncpg.Connection, place: Place) -> KafkaRecord | None:
        """The recurrence alert of a case, against the cases closed before it; none without a point."""
        if place.point is None or place.grid_id is None:
            return None
        since = place.opened_at - self._rules.recurrence_window()
        closed = await self._places.closed_between(
            conn, place.grid_id, place.category, since, place.opened_at, place.case_id
        )
        found = repeats(place, closed, self._rules)
        return None if found is None else await self._flag(conn, place, *found)

    async def _came_back(self, conn: asyncpg.Connection, closed: Place) -> list[KafkaRecord]:
        """Cases opened after this closing that repeat it: found here when they were consumed before the
        closing was (their events lie in other partitions)."""
        if closed.point is None or closed.grid_id is None or closed.closed_at is None:
            return []
        until = closed.closed_at + self._rules.recurrence_window()
        later = await self._places.opened_between(
            conn, closed.grid_id, closed.category, closed.closed_at, until, closed.case_id
        )
        earlier = ClosedNearby(closed.case_id, *closed.point, closed.closed_at)
        records = []
        for place in later:
            if (found := repeats(place, [earlier], self._rules)) is not None:
                records.append(await self._flag(conn, place, *found))
        return records

    async def _flag(
        self, conn: asyncpg.Connection, place: Place, earlier: ClosedNearby, distance: float
    ) -> KafkaRecord:
        await self._places.mark_recurrence(conn, place.case_id, earlier.case_id)
        return alert_record(recurrence_alert(place, earlier, distance))

    async def _hotspot(self, conn: asyncpg.Connection, place: Place) -> KafkaRecord | None:
        assert place.grid_id is not None
        thresholds = self._rules.thresholds(place.category)
        since, before = anchor_reach(place.opened_at, thresholds)
        anchor = await self._places.latest_opening(conn, place.grid_id, place.category, since, before)
        # The case's own opening was just kept: there is always one.
        assert anchor is not None
        span = windows(anchor, thresholds)
        openings = await self._places.openings(
            conn, place.grid_id, place.category, span.baseline_start, span.now
        )
        spell = spell_of(span, openings)
        alert = hotspot_alert(place, spell, thresholds)
        if alert is None or await self._places.alert_raised(
            conn, place.grid_id, place.category, *spell.guard
        ):
            return None
        await self._places.record_alert(conn, place.grid_id, place.category, span.now)
        return alert_record(alert)
