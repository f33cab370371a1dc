"""Every counter of DOMAIN.md's table, per month, quarter and year; case facts as documents; the cases
behind each result (case_contributions); indicators, score and grade under a rubric version.

The foundation's tables are replaced, not converted: its facts lack what attribution now needs (who
held the case from when, handling deadlines and resolutions). A stack upgraded with data in place
rebuilds from the case-event topic (`python -m services.scoring.recompute`) or starts clean.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import context, op

# The counters as this revision created them (frozen here: later revisions add columns of their own).
COUNTERS = (
    "due_to_handle",
    "handled",
    "handled_on_time",
    "handled_late",
    "overdue_not_handled",
    "due_to_close",
    "closed",
    "closed_on_time",
    "reworks",
    "extensions",
    "deferrals",
    "returns",
    "callbacks",
    "satisfied_callbacks",
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _execute(sql: str) -> None:
    """One statement per call: asyncpg prepares what it is given, and a prepared statement holds one."""
    for statement in sql.split(";"):
        if statement.strip():
            op.execute(statement)


def upgrade() -> None:
    s = f'"{context.config.attributes["schema"]}"'
    counters = ",\n".join(f"{name} integer not null default 0 check ({name} >= 0)" for name in COUNTERS)
    _execute(
        f"""
        drop table {s}.assessment_results;
        drop table {s}.case_subjects;
        drop table {s}.case_facts;

        -- The slice of each case's history assessment needs (domain.facts.CaseFact as JSON).
        create table {s}.case_facts (
            case_id    uuid primary key,
            fact       jsonb not null,
            -- The handling deadline while scoring has not yet seen it pass unhandled: the deadline
            -- sweep's work list.
            sweep_at   timestamptz,
            updated_at timestamptz not null default now()
        );
        create index case_facts_sweep on {s}.case_facts (sweep_at) where sweep_at is not null;

        -- What each case adds to each (subject, period): the cases behind every figure.
        create table {s}.case_contributions (
            case_id      uuid not null,
            subject_type text not null,
            subject_id   text not null,
            period       text not null,
            {counters},
            primary key (case_id, subject_type, subject_id, period)
        );
        create index case_contributions_by_result on {s}.case_contributions
            (subject_type, subject_id, period);

        create table {s}.assessment_results (
            subject_type   text not null,
            subject_id     text not null,
            period         text not null check (period ~ '^\\d{{4}}(-(0[1-9]|1[0-2])|-Q[1-4])?$'),
            period_kind    text not null check (period_kind in ('month', 'quarter', 'year')),
            {counters},
            indicators     jsonb not null default '[]',
            closure_rate         numeric(5, 2),
            on_time_closure_rate numeric(5, 2),
            score          numeric(5, 2),
            grade          text,
            rubric_version text not null,
            computed_at    timestamptz not null,
            check (closed <= due_to_close and closed_on_time <= closed),
            check (handled <= due_to_handle and handled_on_time + handled_late = handled),
            primary key (subject_type, subject_id, period)
        );
        -- Rankings: a period's subjects of one type, best composite score first.
        create index assessment_results_ranking on {s}.assessment_results
            (period, subject_type, score desc nulls last, subject_id);
        """
    )


def downgrade() -> None:
    raise NotImplementedError("scoring migrations go forward only")
