"""Read-side SQL: listing cases and reading the case stream, both filtered to what the caller may see,
and the counts behind the case gauges.

``cases`` and ``case_stream`` name their case columns alike (a stream row keeps a copy of the case as
its commit left it), so one filter builder serves both tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.handling.domain import State
from services.handling.domain.access import Viewer
from services.handling.domain.deadlines import CLOCKED_STATES, UNTIMED_STATES, Light


@dataclass(frozen=True)
class CaseFilter:
    # Any of these states (none given: any state).
    states: tuple[State, ...] = ()
    tier: str | None = None
    grid_id: str | None = None
    category: str | None = None
    assignee_id: str | None = None
    verifier_id: str | None = None
    case_id: UUID | None = None


class Where:
    """A conjunction of SQL conditions with numbered asyncpg parameters."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def add(self, template: str, *values: Any) -> None:
        """``template`` names the values as ``str.format`` does: ``{}`` in order, or ``{0}`` to repeat one."""
        first = len(self.args) + 1
        self.clauses.append(template.format(*(f"${first + i}" for i in range(len(values)))))
        self.args.extend(values)

    def next_placeholder(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    @property
    def sql(self) -> str:
        return " and ".join(self.clauses) or "true"


def visible_to(where: Where, viewer: Viewer, *, with_consultation: bool = True) -> None:
    """The SQL twin of ``domain.access.can_see``: keep the two in step.

    ``with_consultation``: the rows carry the case's ``consultation`` (the cases table does, the stream's
    copies of a case do not: there a unit invited to a consultation sees only what its places show it).
    """
    if viewer.city_wide:
        return
    # a unit invited to a consultation sees the case it is asked about
    invited = " or coalesce(consultation -> 'invited_units', '[]'::jsonb) ? {1}" if with_consultation else ""
    where.add(
        "(assignee_id = {0} or verifier_id = {0} or {1} in "
        f"(grid_id, community_id, street_id, district_id, department_id, unit_id){invited})",
        viewer.person_id,
        viewer.unit_id,
    )


def matching(where: Where, wanted: CaseFilter, *, case_id_column: str) -> None:
    for column in ("tier", "grid_id", "category", "assignee_id", "verifier_id"):
        value = getattr(wanted, column)
        if value is not None:
            where.add(f"{column} = {{}}", value)
    if wanted.states:
        where.add("state = any({})", [state.value for state in wanted.states])
    if wanted.case_id is not None:
        where.add(f"{case_id_column} = {{}}", wanted.case_id)


def past_close_by(where: Where, now: datetime, is_overdue: bool) -> None:
    """The SQL twin of ``deadlines.is_overdue``: running past close_by, or closed after it."""
    condition = (
        "(case when state = 'closed' then updated_at > close_by"
        " when state = any({1}) then false else close_by < {0} end)"
    )
    where.add(condition if is_overdue else f"not {condition}", now, sorted(UNTIMED_STATES))


def showing(where: Where, now: datetime, light: Light) -> None:
    """The SQL twin of ``deadlines.light_of`` over the states in which a light shows."""
    red = "coalesce(red_at, resolve_by) <= {1}"
    yellow = "(yellow_at is not null and yellow_at <= {1})"
    lit = {"red": red, "yellow": f"not ({red}) and {yellow}", "green": f"not ({red}) and not {yellow}"}
    where.add(f"state = any({{0}}) and {lit[light]}", sorted(CLOCKED_STATES), now)


async def list_cases(
    conn: asyncpg.Connection,
    schema: str,
    *,
    viewer: Viewer,
    wanted: CaseFilter,
    now: datetime,
    overdue: bool | None = None,
    light: Light | None = None,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> list[asyncpg.Record]:
    """Newest first, keyset-paginated on (opened_at, id): pages stay stable while cases open."""
    where = Where()
    visible_to(where, viewer)
    matching(where, wanted, case_id_column="id")
    if overdue is not None:
        past_close_by(where, now, overdue)
    if light is not None:
        showing(where, now, light)
    if after is not None:
        where.add("(opened_at, id) < ({}, {})", *after)
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""select * from "{schema}".cases where {where.sql}
            order by opened_at desc, id desc limit {where.next_placeholder(limit)}""",
        *where.args,
    )
    return rows


async def stream_head(conn: asyncpg.Connection, schema: str) -> int:
    """The position of the newest committed stream event (0 before the first)."""
    head: int = await conn.fetchval(f'select position from "{schema}".case_stream_head')
    return head


async def stream_after(
    conn: asyncpg.Connection,
    schema: str,
    *,
    viewer: Viewer,
    wanted: CaseFilter,
    after: int,
    limit: int,
) -> tuple[list[asyncpg.Record], int]:
    """Up to ``limit`` events after position ``after`` that the viewer may see, oldest first, and the
    position the read covered: every event up to it is committed, so a reader that got fewer than
    ``limit`` may move on to it without skipping one (the next read then starts past events it may not
    see instead of scanning them again)."""
    where = Where()
    where.add("e.position > {}", after)
    visible_to(where, viewer, with_consultation=False)
    matching(where, wanted, case_id_column="case_id")
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""select h.position as head, e.*
            from "{schema}".case_stream_head h
            left join lateral (
                select * from "{schema}".case_stream e
                where e.position <= h.position and {where.sql}
                order by e.position limit {where.next_placeholder(limit)}
            ) e on true""",
        *where.args,
    )
    head: int = rows[0]["head"]
    events = [row for row in rows if row["position"] is not None]
    return events, head if len(events) < limit else events[-1]["position"]


class StreamTable:
    """The case stream as ``stream.CaseStream`` reads it (``ports.StreamRows``), a connection per read."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool = pool
        self._schema = schema

    async def head(self) -> int:
        async with self._pool.acquire() as conn:
            return await stream_head(conn, self._schema)

    async def after(
        self, *, viewer: Viewer, wanted: CaseFilter, position: int, limit: int
    ) -> tuple[list[Mapping[str, Any]], int]:
        async with self._pool.acquire() as conn:
            rows, covered = await stream_after(
                conn, self._schema, viewer=viewer, wanted=wanted, after=position, limit=limit
            )
        return list(rows), covered


async def open_case_counts(
    conn: asyncpg.Connection, schema: str, now: datetime
) -> tuple[dict[str, int], int]:
    """Open (neither closed nor voided) cases by state, and how many are past their close-by deadline."""
    rows = await conn.fetch(
        f"""select state, count(*) as cases, count(*) filter (where close_by < $1) as overdue
            from "{schema}".cases where state not in ('closed', 'voided') group by state""",
        now,
    )
    return {row["state"]: row["cases"] for row in rows}, sum(row["overdue"] for row in rows)
