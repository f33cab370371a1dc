"""Analysis's SQL: each case's place (``case_places``, which the trend API also reads) and the hotspot
alerts raised (``hotspot_alerts``). Functions take the caller's connection and never commit."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.scoring.domain.places import Place
from services.scoring.domain.recurrence import ClosedNearby


def _place(row: asyncpg.Record) -> Place:
    return Place(**{name: row[name] for name in Place.__dataclass_fields__})


class Places:
    def __init__(self, schema: str) -> None:
        self._s = f'"{schema}"'

    async def add(self, conn: asyncpg.Connection, place: Place) -> bool:
        """Keep a case's place; False when it was kept already (the opening was consumed before)."""
        fresh = await conn.fetchval(
            f"""insert into {self._s}.case_places (case_id, category, grid_id, community_id, street_id,
                    district_id, lon, lat, opened_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning true""",
            place.case_id,
            place.category,
            place.grid_id,
            place.community_id,
            place.street_id,
            place.district_id,
            place.lon,
            place.lat,
            place.opened_at,
        )
        return bool(fresh)

    async def close(self, conn: asyncpg.Connection, case_id: UUID, at: datetime) -> Place | None:
        """The case's place, closed at ``at``; None when it was closed already (or never kept)."""
        row = await conn.fetchrow(
            f"""update {self._s}.case_places set closed_at = $2
                where case_id = $1 and closed_at is null returning *""",
            case_id,
            at,
        )
        return None if row is None else _place(row)

    async def move(self, conn: asyncpg.Connection, case_id: UUID, grid_id: str) -> None:
        await conn.execute(
            f"""update {self._s}.case_places set grid_id = $2
                where case_id = $1 and grid_id is distinct from $2""",
            case_id,
            grid_id,
        )

    async def closed_between(
        self,
        conn: asyncpg.Connection,
        grid_id: str,
        category: str,
        since: datetime,
        until: datetime,
        excluding: UUID,
    ) -> list[ClosedNearby]:
        """Cases of the grid and category with a point, closed in [since, until], but ``excluding``."""
        rows = await conn.fetch(
            f"""select case_id, lon, lat, closed_at from {self._s}.case_places
                where grid_id = $1 and category = $2 and closed_at between $3 and $4 and case_id <> $5
                  and lon is not null""",
            grid_id,
            category,
            since,
            until,
            excluding,
        )
        return [ClosedNearby(r["case_id"], r["lon"], r["lat"], r["closed_at"]) for r in rows]

    async def opened_between(
        self,
        conn: asyncpg.Connection,
        grid_id: str,
        category: str,
        since: datetime,
        until: datetime,
        excluding: UUID,
    ) -> list[Place]:
        """Cases of the grid and category with a point, opened in [since, until], not yet found to repeat
        another, but ``excluding``."""
        rows = await conn.fetch(
            f"""select * from {self._s}.case_places
                where grid_id = $1 and category = $2 and opened_at between $3 and $4
                  and recurrence_of is null and case_id <> $5 and lon is not null""",
            grid_id,
            category,
            since,
            until,
            excluding,
        )
        return [_place(row) for row in rows]

    async def mark_recurrence(self, conn: asyncpg.Connection, case_id: UUID, earlier_case_id: UUID) -> None:
        await conn.execute(
            f"update {self._s}.case_places set recurrence_of = $2 where case_id = $1",
            case_id,
            earlier_case_id,
        )

    async def latest_opening(
        self, conn: asyncpg.Connection, grid_id: str, category: str, since: datetime, before: datetime
    ) -> datetime | None:
        """The latest opening of the grid and category in [since, before)."""
        latest: datetime | None = await conn.fetchval(
            f"""select max(opened_at) from {self._s}.case_places
                where grid_id = $1 and category = $2 and opened_at >= $3 and opened_at < $4""",
            grid_id,
            category,
            since,
            before,
        )
        return latest

    async def openings(
        self, conn: asyncpg.Connection, grid_id: str, category: str, after: datetime, until: datetime
    ) -> list[tuple[UUID, datetime]]:
        """(case id, opened at) of the grid and category in (after, until], in order of opening."""
        rows = await conn.fetch(
            f"""select case_id, opened_at from {self._s}.case_places
                where grid_id = $1 and category = $2 and opened_at > $3 and opened_at <= $4
                order by opened_at, case_id""",
            grid_id,
            category,
            after,
            until,
        )
        return [(row["case_id"], row["opened_at"]) for row in rows]

    async def alert_raised(
        self, conn: asyncpg.Connection, grid_id: str, category: str, after: datetime, before: datetime
    ) -> bool:
        """Whether a hotspot alert of the grid and category was raised in (after, before)."""
        raised = await conn.fetchval(
            f"""select true from {self._s}.hotspot_alerts
                where grid_id = $1 and category = $2 and raised_at > $3 and raised_at < $4""",
            grid_id,
            category,
            after,
            before,
        )
        return bool(raised)

    async def record_alert(
        self, conn: asyncpg.Connection, grid_id: str, category: str, raised_at: datetime
    ) -> None:
        await conn.execute(
            f"insert into {self._s}.hotspot_alerts (grid_id, category, raised_at) values ($1, $2, $3)",
            grid_id,
            category,
            raised_at,
        )
