"""The body of every service's alembic ``env.py``: online, async, one schema per service.

Migrations are plain SQL (``op.execute``): the services talk to PostgreSQL through asyncpg, so there
are no ORM models to autogenerate from.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


def run() -> None:
    config = context.config
    schema: str = config.attributes["schema"]
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by shared.db.alembic_config"
    asyncio.run(_run_online(url, schema))


async def _run_online(url: str, schema: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            # Several instances start at once in production: one migrates, the others wait for it.
            await conn.execute(
                text("select pg_advisory_lock(hashtext(:name))"), {"name": f"migrate:{schema}"}
            )
            await conn.execute(text(f'create schema if not exists "{schema}"'))
            await conn.commit()
            await conn.run_sync(_run_migrations, schema)
            await conn.commit()
            await conn.execute(
                text("select pg_advisory_unlock(hashtext(:name))"), {"name": f"migrate:{schema}"}
            )
            await conn.commit()
    finally:
        await engine.dispose()


def _run_migrations(conn: Connection, schema: str) -> None:
    context.configure(
        connection=conn,
        version_table="alembic_version",
        version_table_schema=schema,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
