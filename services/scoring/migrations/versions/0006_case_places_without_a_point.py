"""A case may have no point (its report gave only an address): its place keeps its community and no
``lon``/``lat``, and it is never compared for recurrence.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from alembic import context, op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = f'"{context.config.attributes["schema"]}"'
    op.execute(f"alter table {s}.case_places alter column lon drop not null, alter column lat drop not null")


def downgrade() -> None:
    raise NotImplementedError("scoring migrations go forward only")
