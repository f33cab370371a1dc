"""PostgreSQL: connection pools and schema migrations (alembic, applied on start).

Each service owns one schema in the database (``handling``, ``scoring``) with its own alembic version
table, so services migrate independently even when they share a server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, command_timeout=30)
    assert pool is not None
    return pool


def alembic_config(url: str, *, migrations: Path, schema: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url))
    config.attributes["schema"] = schema
    return config


def sqlalchemy_url(url: str) -> str:
    """asyncpg speaks ``postgresql://``; SQLAlchemy needs the driver named."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


async def migrate(url: str, *, migrations: Path, schema: str) -> None:
    """Upgrade the service's schema to head. Alembic runs its own event loop, so give it a thread."""
    config = alembic_config(url, migrations=migrations, schema=schema)
    await asyncio.to_thread(command.upgrade, config, "head")


async def ping(pool: asyncpg.Pool) -> bool:
    async with pool.acquire(timeout=2) as conn:
        return bool(await conn.fetchval("select 1", timeout=2))
