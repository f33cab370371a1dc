"""Cases, their append-only timeline, the inbox and the outbox.

Revision ID: 0001
Revises:
Create Date: 2025-03-03

"""

from collections.abc import Sequence

from alembic import context, op

from shared.consuming import inbox_ddl
from shared.outbox import outbox_ddl

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def statements(schema: str) -> list[str]:
    s = f'"{schema}"'
    return [
        f"""
        create table {s}.cases (
            id            uuid primary key,
            report_id     uuid not null,
            category      text not null,
            nature        text not null,
            priority      text not null,
            tier          text not null,
            grid_id       text,
            community_id  text,
            street_id     text,
            district_id   text,
            department_id text,
            lon           double precision not null,
            lat           double precision not null,
            description   text not null,
            state         text not null,
            assignee_id   text,
            assignee_role text,
            unit_id       text,
            verifier_id   text,
            resolve_by    timestamptz not null,
            close_by      timestamptz not null,
            opened_at     timestamptz not null,
            updated_at    timestamptz not null,
            -- the number of timeline entries: bumped by every step, checked by every update
            version       integer not null check (version >= 1)
        )
        """,
        f"create index cases_state on {s}.cases (state)",
        f"create index cases_grid on {s}.cases (grid_id, state)",
        f"create index cases_assignee on {s}.cases (assignee_id, state)",
        f"create index cases_verifier on {s}.cases (verifier_id, state)",
        f"create index cases_district on {s}.cases (district_id, state)",
        f"create index cases_listing on {s}.cases (opened_at desc, id desc)",
        f"create index cases_open_deadline on {s}.cases (close_by) where state <> 'closed'",
        f"""
        create table {s}.case_timeline (
            case_id    uuid not null references {s}.cases (id),
            seq        integer not null check (seq >= 1),
            event_id   uuid not null unique,
            action     text not null,
            actor_id   text not null,
            actor_role text not null,
            from_state text,
            to_state   text not null,
            note       text,
            evidence   text[] not null default '{{}}',
            at         timestamptz not null,
            primary key (case_id, seq)
        )
        """,
        # The flow record is an audit trail: refuse every change to it, whoever asks.
        f"""
        create function {s}.refuse_timeline_change() returns trigger language plpgsql as $$
        begin
            raise exception 'case_timeline is append-only (% refused)', tg_op;
        end
        $$
        """,
        f"""
        create trigger case_timeline_append_only before update or delete on {s}.case_timeline
        for each row execute function {s}.refuse_timeline_change()
        """,
        f"""
        create trigger case_timeline_no_truncate before truncate on {s}.case_timeline
        for each statement execute function {s}.refuse_timeline_change()
        """,
        *split(inbox_ddl(schema)),
        *split(outbox_ddl(schema)),
    ]


def split(ddl: str) -> list[str]:
    """One statement per execute: the asyncpg driver prepares statements, which hold only one."""
    return [statement for statement in (part.strip() for part in ddl.split(";")) if statement]


def upgrade() -> None:
    schema: str = context.config.attributes["schema"]
    for statement in statements(schema):
        op.execute(statement)


def downgrade() -> None:
    schema: str = context.config.attributes["schema"]
    for table in ("outbox", "inbox", "case_timeline", "cases"):
        op.execute(f'drop table if exists "{schema}".{table}')
    op.execute(f'drop function if exists "{schema}".refuse_timeline_change()')
