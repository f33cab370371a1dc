"""The cases in PostgreSQL: their rows, their timelines and their timers (``ports.Cases``), and the unit
of work that pairs them with the outbox in one transaction (``ports.UnitOfWork``).

The repository never commits: the unit of work owns the transaction, so a state change, its timeline
rows, its timers and its outbox rows commit together.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.handling.domain import Case, Location, TimelineEntry
from services.handling.domain.supervision import Timer
from services.handling.ports import ConcurrentUpdate
from services.handling.publisher import OutboxPublisher


def _case_columns() -> tuple[str, ...]:
    """The ``cases`` table's columns: the case's fields, its point as two columns, and its version (the
    length of its timeline, which is a table of its own)."""
    names: list[str] = []
    for name in Case.model_fields:
        if name != "history":
            names += ["lon", "lat"] if name == "location" else [name]
    return (*names, "version")


CASE_COLUMNS = _case_columns()
# Stored as JSON documents (asyncpg takes and gives jsonb as text).
JSON_COLUMNS = ("pending", "consultation")
# Fixed when the case opens; a step may change every other column.
FIXED_COLUMNS = (
    "id",
    "report_id",
    "category",
    "nature",
    "priority",
    "community_id",
    "street_id",
    "district_id",
    "department_id",
    "lon",
    "lat",
    "description",
    "opened_at",
)
MUTABLE_COLUMNS = tuple(column for column in CASE_COLUMNS if column not in FIXED_COLUMNS)
TIMELINE_COLUMNS = (
    "case_id",
    "seq",
    "event_id",
    "action",
    "actor_id",
    "actor_role",
    "from_state",
    "to_state",
    "note",
    "evidence",
    "at",
    "details",
)


def _columns(case: Case) -> dict[str, Any]:
    fields = case.model_dump(exclude={"history", "location", *JSON_COLUMNS})
    documents = {
        name: None if (value := getattr(case, name)) is None else value.model_dump_json()
        for name in JSON_COLUMNS
    }
    point = {"lon": None, "lat": None} if case.location is None else case.location.model_dump()
    return fields | documents | point | {"version": case.version}


def _placeholders(count: int, start: int = 1) -> str:
    return ", ".join(f"${i}" for i in range(start, start + count))


class CaseRepository:
    """The cases on one connection, inside its transaction."""

    def __init__(self, conn: asyncpg.Connection, schema: str) -> None:
        self._conn = conn
        self._schema = schema

    async def add(self, case: Case) -> bool:
        """Insert a new case and its timeline; False (and nothing written) if the case already exists."""
        values = _columns(case)
        inserted = await self._conn.fetchval(
            f"""insert into "{self._schema}".cases ({", ".join(CASE_COLUMNS)})
                values ({_placeholders(len(CASE_COLUMNS))})
                on conflict (id) do nothing returning true""",
            *(values[column] for column in CASE_COLUMNS),
        )
        if not inserted:
            return False
        await self._append_timeline(case, case.history)
        return True

    async def save(self, before: Case, after: Case) -> None:
        """Write the case as a step left it, and append the timeline entries the step added."""
        values = _columns(after)
        assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(MUTABLE_COLUMNS, start=3))
        status = await self._conn.execute(
            f'update "{self._schema}".cases set {assignments} where id = $1 and version = $2',
            after.id,
            before.version,
            *(values[column] for column in MUTABLE_COLUMNS),
        )
        if status != "UPDATE 1":
            raise ConcurrentUpdate(f"case {after.id} is no longer at version {before.version}")
        await self._append_timeline(after, after.history[before.version :])

    async def _append_timeline(self, case: Case, entries: tuple[TimelineEntry, ...]) -> None:
        await self._conn.executemany(
            f"""insert into "{self._schema}".case_timeline ({", ".join(TIMELINE_COLUMNS)})
                values ({_placeholders(len(TIMELINE_COLUMNS))})""",
            [
                (
                    case.id,
                    entry.seq,
                    entry.event_id,
                    entry.action.value,
                    entry.actor_id,
                    entry.actor_role,
                    entry.from_state.value if entry.from_state else None,
                    entry.to_state.value,
                    entry.note,
                    list(entry.evidence),
                    entry.at,
                    json.dumps(entry.details),
                )
                for entry in entries
            ],
        )

    async def get(self, case_id: UUID, *, for_update: bool = False) -> Case | None:
        """The case with its whole timeline; locked until the transaction ends when ``for_update``.

        Outside a transaction the two reads share one snapshot, so a step committing in between (a timer
        firing, say) cannot make the case and its timeline disagree."""
        if self._conn.is_in_transaction():
            return await self._get(case_id, for_update=for_update)
        async with self._conn.transaction(isolation="repeatable_read", readonly=not for_update):
            return await self._get(case_id, for_update=for_update)

    async def _get(self, case_id: UUID, *, for_update: bool) -> Case | None:
        row = await self._conn.fetchrow(
            f'select * from "{self._schema}".cases where id = $1{" for update" if for_update else ""}',
            case_id,
        )
        if row is None:
            return None
        timeline = await self._conn.fetch(
            f"""select seq, event_id, action, actor_id, actor_role, from_state, to_state, note, evidence,
                       at, details
                from "{self._schema}".case_timeline where case_id = $1 order by seq""",
            case_id,
        )
        history = tuple(
            TimelineEntry.model_validate({**r, "details": json.loads(r["details"])}) for r in timeline
        )
        fields = {column: row[column] for column in CASE_COLUMNS if column not in ("lon", "lat", "version")}
        for name in JSON_COLUMNS:
            fields[name] = None if row[name] is None else json.loads(row[name])
        location = None if row["lon"] is None else Location(lon=row["lon"], lat=row["lat"])
        case = Case(**fields, location=location, history=history)
        if case.version != row["version"]:
            raise ConcurrentUpdate(
                f"case {case_id} has {case.version} timeline entries but version {row['version']}"
            )
        return case

    # --- durable timers ---------------------------------------------------------------------------

    async def arm_timers(self, case_id: UUID, timers: Iterable[Timer]) -> None:
        """The case's unfired timers become ``timers``; fired ones stay (and are never armed again).
        Wakes the timer runners, which may need to sleep less now."""
        await self._conn.execute(
            f'delete from "{self._schema}".timers where case_id = $1 and fired_at is null', case_id
        )
        await self._conn.executemany(
            f"""insert into "{self._schema}".timers (case_id, kind, due_at) values ($1, $2, $3)
                on conflict (case_id, kind, due_at) do nothing""",
            [(case_id, timer.kind, timer.due_at) for timer in timers],
        )
        await self._conn.execute("select pg_notify($1, '')", f"{self._schema}_timers")

    async def claim_due_timer(self, now: datetime) -> asyncpg.Record | None:
        """The earliest due, unfired timer, marked fired in the caller's transaction, so each fires once.

        The case's row is locked before the timer's, in the order a step takes them (the case, then its
        timers): claiming the timer first deadlocked with a step replacing that case's timers. A timer
        fired by another instance, or replaced by a step, while this one waited for the case is passed
        over.
        """
        while True:
            candidate = await self._conn.fetchrow(
                f"""select id, case_id from "{self._schema}".timers where fired_at is null and due_at <= $1
                    order by due_at, id limit 1""",
                now,
            )
            if candidate is None:
                return None
            await self._conn.execute(
                f'select 1 from "{self._schema}".cases where id = $1 for update', candidate["case_id"]
            )
            row: asyncpg.Record | None = await self._conn.fetchrow(
                f"""update "{self._schema}".timers set fired_at = $1 where id = $2 and fired_at is null
                    returning id, case_id, kind, due_at""",
                now,
                candidate["id"],
            )
            if row is not None:
                return row

    async def next_timer_due(self) -> datetime | None:
        due: datetime | None = await self._conn.fetchval(
            f'select min(due_at) from "{self._schema}".timers where fired_at is null'
        )
        return due


class PgUnitOfWork:
    """The repository and the outbox on one connection, so that they commit together."""

    def __init__(self, conn: asyncpg.Connection, schema: str, topic_prefix: str = "") -> None:
        self.cases = CaseRepository(conn, schema)
        self.publisher = OutboxPublisher(conn, schema, topic_prefix)


class PgTransactions:
    """Opens units of work on the pool's connections (``ports.Transactions``)."""

    def __init__(self, pool: asyncpg.Pool, schema: str, topic_prefix: str = "") -> None:
        self._pool = pool
        self._schema = schema
        self._topic_prefix = topic_prefix

    @asynccontextmanager
    async def __call__(self, *, read_only: bool = False) -> AsyncIterator[PgUnitOfWork]:
        isolation: dict[str, Any] = {"isolation": "repeatable_read", "readonly": True} if read_only else {}
        async with self._pool.acquire() as conn, conn.transaction(**isolation):
            yield PgUnitOfWork(conn, self._schema, self._topic_prefix)
