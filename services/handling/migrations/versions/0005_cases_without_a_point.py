"""A case may have no point: a report that gave only an address is placed in its community by dispatch
(the gazetteer), or waits for manual triage, with ``lon`` and ``lat`` null.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    s = f'"{context.config.attributes["schema"]}"'
    op.execute(f"alter table {s}.cases alter column lon drop not null, alter column lat drop not null")


def downgrade() -> None:
    # Only possible while no case lacks a point.
    s = f'"{context.config.attributes["schema"]}"'
    op.execute(f"alter table {s}.cases alter column lon set not null, alter column lat set not null")
