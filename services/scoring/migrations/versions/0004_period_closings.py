"""Closed periods and their final results.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from alembic import context, op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = f'"{context.config.attributes["schema"]}"'
    op.execute(
        f"""create table {s}.period_closings (
                period     text primary key,
                period_kind text not null,
                closed_at  timestamptz not null,
                results    integer not null
            )"""
    )
    # The results as they stood when their period closed: what a bulletin prints and pay follows.
    op.execute(
        f"""create table {s}.final_results
                (like {s}.assessment_results including defaults including constraints)"""
    )
    op.execute(f"alter table {s}.final_results add primary key (subject_type, subject_id, period)")


def downgrade() -> None:
    raise NotImplementedError("scoring migrations go forward only")
