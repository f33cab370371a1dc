"""SQL for cases and their timeline. Functions take a connection and never commit: the caller owns
the transaction, so a state change, its timeline rows and its outbox row commit together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.handling.domain import Case, Location, TimelineEntry
from services.handling.domain.supervision import Timer

CASE_COLUMNS = (
    "id",
    "report_id",
    "category",
    "nature",
    "priority",
    "tier",
    "grid_id",
    "community_id",
    "street_id",
    "district_id",
    "department_id",
    "lon",
    "lat",
    "description",
    "state",
    "assignee_id",
    "assignee_role",
    "unit_id",
    "verifier_id",
    "resolve_by",
    "close_by",
    "opened_at",
    "updated_at",
    "version",
    "accept_by",
    "yellow_at",
    "red_at",
    "assigned_at",
    "pending",
    "extensions",
    "reworks",
    "paused_at",
    "resume_at",
    "exempt_from_lateness",
    "consultation",
)
# Stored as JSON documents (asyncpg takes and gives jsonb as text).
JSON_COLUMNS = ("pending", "consultation")
# What a step may change; everything else about a case is fixed when it opens.
MUTABLE_COLUMNS = (
    "tier",
    "grid_id",
    "state",
    "assignee_id",
    "assignee_role",
    "unit_id",
    "verifier_id",
    "resolve_by",
    "close_by",
    "updated_at",
    "version",
    *CASE_COLUMNS[CASE_COLUMNS.index("accept_by") :],
)
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


class ConcurrentUpdate(Exception):
    """The case changed between reading and writing it."""


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


async def insert_case(conn: asyncpg.Connection, schema: str, case: Case) -> bool:
    """Insert a new case and its timeline; False (and nothing written) if the case already exists."""
    values = _columns(case)
    inserted = await conn.fetchval(
        f"""insert into "{schema}".cases ({", ".join(CASE_COLUMNS)})
            values ({_placeholders(len(CASE_COLUMNS))})
            on conflict (id) do nothing returning true""",
        *(values[column] for column in CASE_COLUMNS),
    )
    if not inserted:
        return False
    await _append_timeline(conn, schema, case, case.history)
    return True


async def save_step(conn: asyncpg.Connection, schema: str, before: Case, after: Case) -> None:
    """Write the case as a step left it, and append the timeline entries the step added."""
    values = _columns(after)
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(MUTABLE_COLUMNS, start=3))
    status = await conn.execute(
        f'update "{schema}".cases set {assignments} where id = $1 and version = $2',
        after.id,
        before.version,
        *(values[column] for column in MUTABLE_COLUMNS),
    )
    if status != "UPDATE 1":
        raise ConcurrentUpdate(f"case {after.id} is no longer at version {before.version}")
    await _append_timeline(conn, schema, after, after.history[before.version :])


async def _append_timeline(
    conn: asyncpg.Connection, schema: str, case: Case, entries: tuple[TimelineEntry, ...]
) -> None:
    await conn.executemany(
        f"""insert into "{schema}".case_timeline ({", ".join(TIMELINE_COLUMNS)})
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


async def load_case(
    conn: asyncpg.Connection, schema: str, case_id: UUID, *, for_update: bool = False
) -> Case | None:
    """The case with its whole timeline; locked until the transaction ends when ``for_update``.

    Outside a transaction the two reads share one snapshot, so a step committing in between (a timer
    firing, say) cannot make the case and its timeline disagree."""
    if conn.is_in_transaction():
        return await _load_case(conn, schema, case_id, for_update=for_update)
    async with conn.transaction(isolation="repeatable_read", readonly=not for_update):
        return await _load_case(conn, schema, case_id, for_update=for_update)


async def _load_case(
    conn: asyncpg.Connection, schema: str, case_id: UUID, *, for_update: bool
) -> Case | None:
    row = await conn.fetchrow(
        f'select * from "{schema}".cases where id = $1{" for update" if for_update else ""}', case_id
    )
    if row is None:
        return None
    history = tuple(
        TimelineEntry.model_validate({**r, "details": json.loads(r["details"])})
        for r in await timeline(conn, schema, case_id)
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


async def timeline(conn: asyncpg.Connection, schema: str, case_id: UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""select seq, event_id, action, actor_id, actor_role, from_state, to_state, note, evidence, at,
                   details
            from "{schema}".case_timeline where case_id = $1 order by seq""",
        case_id,
    )
    return rows


# --- durable timers -------------------------------------------------------------------------------


async def replace_timers(
    conn: asyncpg.Connection, schema: str, case_id: UUID, timers: Iterable[Timer]
) -> None:
    """The case's unfired timers become ``timers``; fired ones stay (and are never armed again).
    Wakes the timer runners, which may need to sleep less now."""
    await conn.execute(f'delete from "{schema}".timers where case_id = $1 and fired_at is null', case_id)
    await conn.executemany(
        f"""insert into "{schema}".timers (case_id, kind, due_at) values ($1, $2, $3)
            on conflict (case_id, kind, due_at) do nothing""",
        [(case_id, timer.kind, timer.due_at) for timer in timers],
    )
    await conn.execute("select pg_notify($1, '')", f"{schema}_timers")


async def claim_due_timer(conn: asyncpg.Connection, schema: str, now: datetime) -> asyncpg.Record | None:
    """The earliest due, unfired timer, marked fired in the caller's transaction, so each fires once.

    The case's row is locked before the timer's, in the order a step takes them (the case, then its
    timers): claiming the timer first deadlocked with a step replacing that case's timers. A timer fired
    by another instance, or replaced by a step, while this one waited for the case is passed over.
    """
    while True:
        candidate = await conn.fetchrow(
            f"""select id, case_id from "{schema}".timers where fired_at is null and due_at <= $1
                order by due_at, id limit 1""",
            now,
        )
        if candidate is None:
            return None
        await conn.execute(f'select 1 from "{schema}".cases where id = $1 for update', candidate["case_id"])
        row: asyncpg.Record | None = await conn.fetchrow(
            f"""update "{schema}".timers set fired_at = $1 where id = $2 and fired_at is null
                returning id, case_id, kind, due_at""",
            now,
            candidate["id"],
        )
        if row is not None:
            return row


async def next_timer_due(conn: asyncpg.Connection, schema: str) -> datetime | None:
    due: datetime | None = await conn.fetchval(
        f'select min(due_at) from "{schema}".timers where fired_at is null'
    )
    return due
