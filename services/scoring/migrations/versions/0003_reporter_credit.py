"""Reporter credit: reports made, valid reports and volunteer service minutes, per subject and period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from alembic import context, op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_COUNTERS = ("reports", "valid_reports", "service_minutes")


def upgrade() -> None:
    s = f'"{context.config.attributes["schema"]}"'
    for table in ("case_contributions", "assessment_results"):
        for name in NEW_COUNTERS:
            op.execute(
                f"alter table {s}.{table} add column {name} integer not null default 0 check ({name} >= 0)"
            )
    op.execute(f"alter table {s}.assessment_results add check (valid_reports <= reports)")


def downgrade() -> None:
    raise NotImplementedError("scoring migrations go forward only")
