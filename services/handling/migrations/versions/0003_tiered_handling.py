"""Tiered handling: what a case carries besides its state (pending request, counters, pause, consultation,
supervision moments), structured details on each timeline entry, and the durable timers.

Timers are rows, not sleeping tasks: whichever handling instance is up sleeps until the earliest unfired
one, is woken by ``<schema>_timers`` notifications when a nearer one is written, and fires each row once
(it is marked fired in the same transaction as the step it takes, locked ``for update skip locked``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def statements(schema: str) -> list[str]:
    s = f'"{schema}"'
    return [
        f"""
        alter table {s}.cases
            add column accept_by timestamptz,
            add column yellow_at timestamptz,
            add column red_at timestamptz,
            add column assigned_at timestamptz,
            add column pending jsonb,
            add column extensions integer not null default 0,
            add column reworks integer not null default 0,
            add column paused_at timestamptz,
            add column resume_at timestamptz,
            add column exempt_from_lateness boolean not null default false,
            add column consultation jsonb
        """,
        f"alter table {s}.case_timeline add column details jsonb not null default '{{}}'",
        f"""
        create table {s}.timers (
            id       bigserial primary key,
            case_id  uuid not null references {s}.cases (id),
            kind     text not null,
            due_at   timestamptz not null,
            fired_at timestamptz,
            unique (case_id, kind, due_at)
        )
        """,
        f"create index timers_due on {s}.timers (due_at) where fired_at is null",
    ]


def upgrade() -> None:
    schema: str = context.config.attributes["schema"]
    for statement in statements(schema):
        op.execute(statement)


def downgrade() -> None:
    schema: str = context.config.attributes["schema"]
    s = f'"{schema}"'
    op.execute(f"drop table if exists {s}.timers")
    op.execute(f"alter table {s}.case_timeline drop column if exists details")
    for column in (
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
    ):
        op.execute(f"alter table {s}.cases drop column if exists {column}")
