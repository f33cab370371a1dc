"""Analysis: where and when each case was opened and closed, and the hotspot alerts raised.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from alembic import context, op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = f'"{context.config.attributes["schema"]}"'
    op.execute(
        f"""create table {s}.case_places (
                case_id       uuid primary key,
                category      text not null,
                grid_id       text,
                community_id  text,
                street_id     text,
                district_id   text,
                lon           double precision not null,
                lat           double precision not null,
                opened_at     timestamptz not null,
                closed_at     timestamptz,
                -- the closed case this one repeats (a recurring problem), if any
                recurrence_of uuid
            )"""
    )
    op.execute(f"create index case_places_hotspot on {s}.case_places (grid_id, category, opened_at)")
    op.execute(f"create index case_places_trend on {s}.case_places (category, opened_at)")
    op.execute(
        f"""create table {s}.hotspot_alerts (
                grid_id   text not null,
                category  text not null,
                raised_at timestamptz not null,
                primary key (grid_id, category, raised_at)
            )"""
    )


def downgrade() -> None:
    raise NotImplementedError("scoring migrations go forward only")
