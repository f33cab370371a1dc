"""The case stream carries what tiered handling added (migration 0003): each entry's structured details,
and the case's acceptance deadline and traffic-light moments as the commit left them, so an operator's
screen can colour a case from the stream alone. Rows streamed before this migration carry none.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns of 0002's copy, then what this migration adds (a migration keeps its own lists: it must
# do tomorrow what it does today, whatever the code's lists become).
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
    "accept_by",
    "yellow_at",
    "red_at",
)
ENTRY = (
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


def append_function(schema: str, snapshot: Sequence[str], entry: Sequence[str]) -> str:
    s = f'"{schema}"'
    new_entry = ", ".join(f"new.{column}" for column in entry)
    case_snapshot = ", ".join(f"c.{column}" for column in snapshot)
    return f"""
        create or replace function {s}.append_to_case_stream() returns trigger language plpgsql as $$
        declare
            next_position bigint;
        begin
            update {s}.case_stream_head set position = position + 1 returning position into next_position;
            insert into {s}.case_stream (position, {", ".join(entry)}, {", ".join(snapshot)})
            select next_position, {new_entry}, {case_snapshot}
            from {s}.cases c where c.id = new.case_id;
            if not found then
                raise exception 'case % of timeline entry % is missing', new.case_id, new.seq;
            end if;
            perform pg_notify(tg_table_schema || '_case_stream', '');
            return null;
        end
        $$
        """


def upgrade() -> None:
    schema: str = context.config.attributes["schema"]
    op.execute(
        f"""alter table "{schema}".case_stream
            add column details jsonb not null default '{{}}',
            add column accept_by timestamptz,
            add column yellow_at timestamptz,
            add column red_at timestamptz"""
    )
    op.execute(append_function(schema, SNAPSHOT, ENTRY))


def downgrade() -> None:
    schema: str = context.config.attributes["schema"]
    op.execute(append_function(schema, SNAPSHOT[:-3], ENTRY[:-1]))
    op.execute(
        f"""alter table "{schema}".case_stream
            drop column details, drop column accept_by, drop column yellow_at, drop column red_at"""
    )
