"""The case stream: every timeline entry, numbered in commit order, for operators' live stream (SSE).

Why not a plain ``bigserial``: a sequence hands out numbers when rows are inserted, not when their
transactions commit, so a reader could see 11 before 10 commits, move its cursor past 10 and never see
it. Here a deferred trigger numbers each new timeline entry at its transaction's commit from a one-row
counter; the counter's row lock is held only from then until the commit ends, so positions become
visible strictly in order, with no gaps, across every handling instance and every restart. The row also
keeps a copy of the case as that commit left it (state, holder, places), so who may see the event and
what it says never change afterwards. The commit notifies ``<schema>_case_stream`` to wake listeners.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The case's columns copied into each stream row (same names as in ``cases``, so one filter serves both).
SNAPSHOT = (
    "state",
    "category",
    "priority",
    "tier",
    "grid_id",
    "community_id",
    "street_id",
    "district_id",
    "department_id",
    "unit_id",
    "assignee_id",
    "verifier_id",
    "resolve_by",
    "close_by",
)
ENTRY = ("case_id", "seq", "event_id", "action", "actor_id", "actor_role", "from_state", "to_state")
ENTRY_TAIL = ("note", "evidence", "at")


def statements(schema: str) -> list[str]:
    s = f'"{schema}"'
    snapshot = ", ".join(SNAPSHOT)
    entry = ", ".join((*ENTRY, *ENTRY_TAIL))
    new_entry = ", ".join(f"new.{column}" for column in (*ENTRY, *ENTRY_TAIL))
    case_snapshot = ", ".join(f"c.{column}" for column in SNAPSHOT)
    timeline_entry = ", ".join(f"t.{column}" for column in (*ENTRY, *ENTRY_TAIL))
    return [
        f"""
        create table {s}.case_stream (
            position      bigint primary key check (position >= 1),
            case_id       uuid not null,
            seq           integer not null,
            event_id      uuid not null,
            action        text not null,
            actor_id      text not null,
            actor_role    text not null,
            from_state    text,
            to_state      text not null,
            note          text,
            evidence      text[] not null,
            at            timestamptz not null,
            state         text not null,
            category      text not null,
            priority      text not null,
            tier          text not null,
            grid_id       text,
            community_id  text,
            street_id     text,
            district_id   text,
            department_id text,
            unit_id       text,
            assignee_id   text,
            verifier_id   text,
            resolve_by    timestamptz not null,
            close_by      timestamptz not null,
            committed_at  timestamptz not null default now()
        )
        """,
        # One index only (the position): the timeline already makes (case_id, seq) and event_id unique,
        # and readers scan forward from their position, so every further index would only slow commits.
        f"""
        create table {s}.case_stream_head (
            singleton boolean primary key default true check (singleton),
            position  bigint not null
        )
        """,
        # Entries written before this migration join the stream in the order they happened.
        f"""
        insert into {s}.case_stream (position, {entry}, {snapshot})
        select row_number() over (order by t.at, t.case_id, t.seq), {timeline_entry}, {case_snapshot}
        from {s}.case_timeline t join {s}.cases c on c.id = t.case_id
        """,
        f"insert into {s}.case_stream_head (position) select coalesce(max(position), 0) from {s}.case_stream",
        f"""
        create function {s}.append_to_case_stream() returns trigger language plpgsql as $$
        declare
            next_position bigint;
        begin
            update {s}.case_stream_head set position = position + 1 returning position into next_position;
            insert into {s}.case_stream (position, {entry}, {snapshot})
            select next_position, {new_entry}, {case_snapshot} from {s}.cases c where c.id = new.case_id;
            if not found then
                raise exception 'case % of timeline entry % is missing', new.case_id, new.seq;
            end if;
            perform pg_notify(tg_table_schema || '_case_stream', '');
            return null;
        end
        $$
        """,
        # Deferred to the commit: the number is taken as late as possible (the counter's lock is short)
        # and the case copied as the whole transaction left it.
        f"""
        create constraint trigger case_timeline_to_stream after insert on {s}.case_timeline
        deferrable initially deferred for each row execute function {s}.append_to_case_stream()
        """,
        # Like the timeline it copies, the stream is append-only.
        f"""
        create function {s}.refuse_case_stream_change() returns trigger language plpgsql as $$
        begin
            raise exception 'case_stream is append-only (% refused)', tg_op;
        end
        $$
        """,
        f"""
        create trigger case_stream_append_only before update or delete on {s}.case_stream
        for each row execute function {s}.refuse_case_stream_change()
        """,
    ]


def upgrade() -> None:
    schema: str = context.config.attributes["schema"]
    for statement in statements(schema):
        op.execute(statement)


def downgrade() -> None:
    schema: str = context.config.attributes["schema"]
    op.execute(f'drop trigger if exists case_timeline_to_stream on "{schema}".case_timeline')
    for table in ("case_stream_head", "case_stream"):
        op.execute(f'drop table if exists "{schema}".{table}')
    for function in ("append_to_case_stream", "refuse_case_stream_change"):
        op.execute(f'drop function if exists "{schema}".{function}()')
