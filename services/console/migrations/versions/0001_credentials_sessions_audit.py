"""Passwords, sessions and their refresh tokens, sign-in failures, and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def statements(schema: str) -> list[str]:
    s = f'"{schema}"'
    return [
        f"""
        create table {s}.credentials (
            person_id     text primary key,
            password_hash text not null,
            set_at        timestamptz not null,
            -- the supervisor who set it, or 'cli'
            set_by        text not null
        )
        """,
        f"""
        create table {s}.sessions (
            id             uuid primary key,
            person_id      text not null,
            created_at     timestamptz not null,
            expires_at     timestamptz not null,
            -- the generation of the current refresh token (the first is 1)
            generation     integer not null check (generation >= 1),
            revoked_at     timestamptz,
            revoked_reason text,
            client_address text,
            user_agent     text
        )
        """,
        f"create index sessions_live_of_person on {s}.sessions (person_id) where revoked_at is null",
        f"create index sessions_expiry on {s}.sessions (expires_at)",
        f"""
        create table {s}.refresh_tokens (
            -- SHA-256 of the token: the token itself is never stored
            token_hash    bytea primary key,
            session_id    uuid not null references {s}.sessions (id) on delete cascade,
            generation    integer not null,
            issued_at     timestamptz not null,
            expires_at    timestamptz not null,
            superseded_at timestamptz,
            unique (session_id, generation)
        )
        """,
        f"""
        create table {s}.sign_in_failures (
            scope   text not null check (scope in ('person', 'address')),
            key     text not null,
            count   integer not null check (count >= 0),
            last_at timestamptz not null,
            primary key (scope, key)
        )
        """,
        f"create index sign_in_failures_last_at on {s}.sign_in_failures (last_at)",
        f"""
        create table {s}.audit (
            id             bigint generated always as identity primary key,
            at             timestamptz not null,
            action         text not null,
            actor_id       text,
            subject_id     text,
            session_id     uuid,
            client_address text,
            details        jsonb not null default '{{}}'
        )
        """,
        f"create index audit_subject on {s}.audit (subject_id, at)",
        # An audit trail: refuse every change to it, whoever asks.
        f"""
        create function {s}.refuse_audit_change() returns trigger language plpgsql as $$
        begin
            raise exception 'audit is append-only (% refused)', tg_op;
        end
        $$
        """,
        f"""
        create trigger audit_append_only before update or delete on {s}.audit
        for each row execute function {s}.refuse_audit_change()
        """,
        f"""
        create trigger audit_no_truncate before truncate on {s}.audit
        for each statement execute function {s}.refuse_audit_change()
        """,
    ]


def upgrade() -> None:
    schema: str = context.config.attributes["schema"]
    for statement in statements(schema):
        op.execute(statement)


def downgrade() -> None:
    schema: str = context.config.attributes["schema"]
    for table in ("audit", "sign_in_failures", "refresh_tokens", "sessions", "credentials"):
        op.execute(f'drop table if exists "{schema}".{table}')
    op.execute(f'drop function if exists "{schema}".refuse_audit_change()')
