"""Analysis on the case events, in the consumer's transaction: each opened case's place is kept, and its
opening may raise a hotspot or a recurrence alert (``domain/hotspots.py`` decides; the outbox publishes on
``gridloop.alerts``). Closings and grid changes keep the places current for the checks and the trend API.

Counting goes by the cases' own times, so a late event is counted where it belongs. A hotspot check runs
when a case's opening is consumed, over the window ending at the latest opening of its grid and category
consumed so far within a window after it: cases of one grid sit in different partitions (keyed by case id)
and may be consumed out of order, and whichever order they come in, the spell is found once all are in. A
replay in another interleaving may raise the spell's one alert at another of its cases (with the count
seen then). A recurrence is looked for both when a case is opened (against cases closed before it) and
when a case is closed (against cases already opened after it), so it is found in either order too.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.scoring.domain.hotspots import (
    AnalysisRules,
    ClosedNearby,
    expected,
    is_hot,
    printed,
    recurrence_of,
    windows,
)
from shared.events import KafkaRecord, derived_id, encode
from shared.events.analysis import HotspotDetected, RecurrenceDetected
from shared.events.cases import CaseAssigned, CaseClosed, CaseEvent, CaseOpened
from shared.events.reports import GeoPoint
from shared.outbox import enqueue_many

SOURCE = "/gridloop/scoring/analysis"


class Analysis:
    def __init__(self, *, schema: str, rules: AnalysisRules) -> None:
        self._schema = schema
        self._s = f'"{schema}"'
        self._rules = rules

    async def on_event(self, conn: asyncpg.Connection, event: CaseEvent) -> None:
        if isinstance(event, CaseOpened):
            await self._opened(conn, event)
        elif isinstance(event, CaseClosed):
            closed = await conn.fetchrow(
                f"""update {self._s}.case_places set closed_at = $2
                    where case_id = $1 and closed_at is null returning *""",
                event.case_id,
                event.occurred_at,
            )
            # A case without a point (its report gave only an address) is never compared for recurrence.
            if closed is not None and closed["grid_id"] is not None and closed["lon"] is not None:
                await enqueue_many(conn, self._schema, await self._came_back(conn, closed))
        elif isinstance(event, CaseAssigned) and event.grid_id is not None:
            await conn.execute(
                f"""update {self._s}.case_places set grid_id = $2
                    where case_id = $1 and grid_id is distinct from $2""",
                event.case_id,
                event.grid_id,
            )

    async def _opened(self, conn: asyncpg.Connection, event: CaseOpened) -> None:
        fresh = await conn.fetchval(
            f"""insert into {self._s}.case_places (case_id, category, grid_id, community_id, street_id,
                    district_id, lon, lat, opened_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning true""",
            event.case_id,
            event.category,
            event.grid_id,
            event.community_id,
            event.street_id,
            event.district_id,
            None if event.location is None else event.location.lon,
            None if event.location is None else event.location.lat,
            event.occurred_at,
        )
        # Hotspots are per grid: a case in no grid counts in none.
        if not fresh or event.grid_id is None:
            return
        recurrence = None if event.location is None else await self._recurrence(conn, event, event.location)
        records = [r for r in (recurrence, await self._hotspot(conn, event)) if r]
        await enqueue_many(conn, self._schema, records)

    async def _recurrence(
        self, conn: asyncpg.Connection, event: CaseOpened, point: GeoPoint
    ) -> KafkaRecord | None:
        """The recurrence alert of a case with a point: cases without one are never compared."""
        rows = await conn.fetch(
            f"""select case_id, lon, lat, closed_at from {self._s}.case_places
                where grid_id = $1 and category = $2 and closed_at between $3 and $4 and case_id <> $5
                  and lon is not null""",
            event.grid_id,
            event.category,
            event.occurred_at - self._rules.recurrence_window(),
            event.occurred_at,
            event.case_id,
        )
        closed = [ClosedNearby(r["case_id"], r["lon"], r["lat"], r["closed_at"]) for r in rows]
        found = recurrence_of(point.lon, point.lat, event.occurred_at, closed, self._rules)
        if found is None:
            return None
        assert event.grid_id is not None
        return await self._flag(conn, event.case_id, event.grid_id, event.category, event.occurred_at, *found)

    async def _came_back(self, conn: asyncpg.Connection, closed: asyncpg.Record) -> list[KafkaRecord]:
        """Cases opened after this closing that repeat it: found here when they were consumed before the
        closing was (their events lie in other partitions)."""
        rows = await conn.fetch(
            f"""select * from {self._s}.case_places
                where grid_id = $1 and category = $2 and opened_at between $3 and $4
                  and recurrence_of is null and case_id <> $5 and lon is not null""",
            closed["grid_id"],
            closed["category"],
            closed["closed_at"],
            closed["closed_at"] + self._rules.recurrence_window(),
            closed["case_id"],
        )
        earlier = ClosedNearby(closed["case_id"], closed["lon"], closed["lat"], closed["closed_at"])
        records = []
        for row in rows:
            found = recurrence_of(row["lon"], row["lat"], row["opened_at"], [earlier], self._rules)
            if found is not None:
                records.append(
                    await self._flag(
                        conn, row["case_id"], row["grid_id"], row["category"], row["opened_at"], *found
                    )
                )
        return records

    async def _flag(
        self,
        conn: asyncpg.Connection,
        case_id: UUID,
        grid_id: str,
        category: str,
        opened_at: datetime,
        earlier: ClosedNearby,
        distance: float,
    ) -> KafkaRecord:
        await conn.execute(
            f"update {self._s}.case_places set recurrence_of = $2 where case_id = $1",
            case_id,
            earlier.case_id,
        )
        alert = RecurrenceDetected(
            case_id=case_id,
            earlier_case_id=earlier.case_id,
            grid_id=grid_id,
            category=category,
            opened_at=opened_at,
            earlier_closed_at=earlier.closed_at,
            distance_m=round(distance, 1),
        )
        return encode(alert, source=SOURCE, event_id=derived_id("recurrence", case_id))

    async def _hotspot(self, conn: asyncpg.Connection, event: CaseOpened) -> KafkaRecord | None:
        assert event.grid_id is not None
        thresholds = self._rules.thresholds(event.category)
        # The window ends at the latest opening of the spell consumed so far, not at this one: a case
        # consumed after later ones (another partition) then still counts with them.
        reach = windows(event.occurred_at, thresholds)
        anchor = await conn.fetchval(
            f"""select max(opened_at) from {self._s}.case_places
                where grid_id = $1 and category = $2 and opened_at >= $3 and opened_at < $4""",
            event.grid_id,
            event.category,
            event.occurred_at,
            event.occurred_at + (reach.now - reach.window_start),
        )
        span = windows(anchor, thresholds)
        rows = await conn.fetch(
            f"""select case_id, opened_at > $3 as in_window from {self._s}.case_places
                where grid_id = $1 and category = $2 and opened_at > $4 and opened_at <= $5
                order by opened_at, case_id""",
            event.grid_id,
            event.category,
            span.window_start,
            span.baseline_start,
            span.now,
        )
        in_window = [row["case_id"] for row in rows if row["in_window"]]
        baseline = len(rows) - len(in_window)
        if not is_hot(len(in_window), baseline, thresholds):
            return None
        # One alert per hot spell: none raised for this grid and category within a window's length.
        window = span.now - span.window_start
        raised = await conn.fetchval(
            f"""select true from {self._s}.hotspot_alerts
                where grid_id = $1 and category = $2 and raised_at > $3 and raised_at < $4""",
            event.grid_id,
            event.category,
            span.now - window,
            span.now + window,
        )
        if raised:
            return None
        await conn.execute(
            f"insert into {self._s}.hotspot_alerts (grid_id, category, raised_at) values ($1, $2, $3)",
            event.grid_id,
            event.category,
            span.now,
        )
        alert = HotspotDetected(
            grid_id=event.grid_id,
            community_id=event.community_id,
            street_id=event.street_id,
            district_id=event.district_id,
            category=event.category,
            window_start=span.window_start,
            window_end=span.now,
            count=len(in_window),
            baseline_count=baseline,
            expected=printed(expected(baseline, thresholds)),
            ratio=printed(thresholds.ratio),
            case_ids=tuple(in_window),
        )
        event_id = derived_id("hotspot", event.grid_id, event.category, span.now.isoformat())
        return encode(alert, source=SOURCE, event_id=event_id)
