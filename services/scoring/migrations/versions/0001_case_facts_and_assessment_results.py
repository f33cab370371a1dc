"""Case facts, case subjects, assessment results, inbox and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from alembic import context, op

from shared.consuming import inbox_ddl
from shared.outbox import outbox_ddl

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _execute(sql: str) -> None:
    """One statement per call: asyncpg prepares what it is given, and a prepared statement holds one."""
    for statement in sql.split(";"):
        if statement.strip():
            op.execute(statement)


def upgrade() -> None:
    schema = context.config.attributes["schema"]
    _execute(inbox_ddl(schema))
    _execute(outbox_ddl(schema))
    _execute(
        f"""
        -- The slice of each case that assessment needs, kept from the case events.
        create table "{schema}".case_facts (
            case_id     uuid primary key,
            holder_id   text,
            holder_role text,
            grid_id     text,
            close_by    timestamptz not null,
            closed_at   timestamptz,
            updated_at  timestamptz not null default now()
        );

        -- Who each case counts for, as the domain's attribution rules decided. One row per subject, so
        -- counting a subject's period is one index range, whatever kind of subject it is.
        create table "{schema}".case_subjects (
            case_id      uuid not null references "{schema}".case_facts (case_id) on delete cascade,
            subject_type text not null,
            subject_id   text not null,
            primary key (case_id, subject_type, subject_id)
        );
        create index case_subjects_by_subject on "{schema}".case_subjects (subject_type, subject_id);

        create table "{schema}".assessment_results (
            subject_type         text not null,
            subject_id           text not null,
            period               text not null check (period ~ '^\\d{{4}}-(0[1-9]|1[0-2])$'),
            due_to_close         integer not null check (due_to_close >= 0),
            closed               integer not null check (closed between 0 and due_to_close),
            closed_on_time       integer not null check (closed_on_time between 0 and closed),
            closure_rate         numeric(5, 2),
            on_time_closure_rate numeric(5, 2),
            rubric_version       text not null,
            computed_at          timestamptz not null,
            primary key (subject_type, subject_id, period)
        );
        -- Rankings: a period's subjects of one type by on-time closure rate.
        create index assessment_results_ranking on "{schema}".assessment_results
            (period, subject_type, on_time_closure_rate desc nulls last, subject_id);
        """
    )


def downgrade() -> None:
    raise NotImplementedError("scoring migrations go forward only")
