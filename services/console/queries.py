"""Database reads behind the API (writes are the repository's, inside the handlers' transactions)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg


class Queries:
    def __init__(self, schema: str) -> None:
        self._s = f'"{schema}"'

    async def session_live(self, conn: asyncpg.Connection, session_id: UUID, now: datetime) -> bool:
        """Whether the session is neither revoked (signed out, reused, password set) nor expired."""
        live = await conn.fetchval(
            f"select revoked_at is null and expires_at > $2 from {self._s}.sessions where id = $1",
            session_id,
            now,
        )
        return bool(live)
