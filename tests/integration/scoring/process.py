"""`python -m services.scoring` as a process of its own, configured by the environment as a deployment
would: for the SIGKILL test and the bench."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import asyncpg

from shared.settings import REPO_ROOT
from tests.builders.tokens import public_key_file


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scoring_env(
    *, kafka: str, database_url: str, schema: str, topic: str, batched: bool = True
) -> dict[str, str]:
    return {
        **os.environ,
        "GRIDLOOP_ENV": "test",
        "GRIDLOOP_SCORING_DATABASE_URL": database_url,
        "GRIDLOOP_SCORING_DB_SCHEMA": schema,
        "GRIDLOOP_SCORING_CASE_EVENTS_TOPIC": topic,
        "GRIDLOOP_SCORING_CONSUMER_GROUP": f"gridloop-scoring-{schema}",
        "GRIDLOOP_SCORING_KAFKA_BOOTSTRAP": kafka,
        "GRIDLOOP_SCORING_PORT": str(free_port()),
        "GRIDLOOP_SCORING_LOG_LEVEL": "WARNING",
        # Dated histories: a sweep at today's date would move their handling figures as time passes.
        "GRIDLOOP_SCORING_SWEEP_INTERVAL_SECONDS": "3600",
        "GRIDLOOP_SCORING_BATCH_ASSESSMENT": str(batched).lower(),
        "GRIDLOOP_SCORING_AUTH_PUBLIC_KEY_FILE": str(public_key_file()),
    }


async def start_scoring(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.scoring", cwd=REPO_ROOT, env=env, stdout=out, stderr=out
        )


async def inbox_count(conn: asyncpg.Connection, schema: str) -> int:
    """Events the scoring of ``schema`` has taken in (0 before its first migration)."""
    try:
        return int(await conn.fetchval(f'select count(*) from "{schema}".inbox'))
    except asyncpg.UndefinedTableError:
        return 0
