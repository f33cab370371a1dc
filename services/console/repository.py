"""The console's tables in PostgreSQL (asyncpg): each ``Transaction`` method runs inside the caller's
transaction and never commits by itself; ``PgStore.transaction()`` opens one and commits it at the end.

Sign-in failures live here, not in memory, so that every console instance counts the same failures.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from services.console.domain.sessions import RefreshToken, RevokedBecause, Session
from services.console.domain.throttle import Failures, Scope
from services.console.ports import AuditEntry, Credential

# Refresh tokens of sessions ended this long ago are no longer kept: one presented after that is
# simply unknown (a session ended), no longer recognised as a reuse.
KEEP_ENDED_SESSIONS = timedelta(days=7)


class PgTransaction:
    def __init__(self, conn: asyncpg.Connection, schema: str) -> None:
        self._conn = conn
        self._s = f'"{schema}"'

    async def failures(self, scope: Scope, key: str) -> Failures:
        # The row must exist to be locked: two first attempts at once would otherwise both read none.
        await self._conn.execute(
            f"insert into {self._s}.sign_in_failures (scope, key, count, last_at) values ($1, $2, 0, now()) "
            "on conflict do nothing",
            scope,
            key,
        )
        row = await self._conn.fetchrow(
            f"select count, last_at from {self._s}.sign_in_failures where scope = $1 and key = $2 for update",
            scope,
            key,
        )
        assert row is not None
        return Failures(row["count"], row["last_at"]) if row["count"] else Failures()

    async def save_failures(self, scope: Scope, key: str, failures: Failures) -> None:
        if failures.count == 0 or failures.last_at is None:
            await self._conn.execute(
                f"delete from {self._s}.sign_in_failures where scope = $1 and key = $2", scope, key
            )
            return
        await self._conn.execute(
            f"insert into {self._s}.sign_in_failures (scope, key, count, last_at) values ($1, $2, $3, $4) "
            "on conflict (scope, key) do update set count = excluded.count, last_at = excluded.last_at",
            scope,
            key,
            failures.count,
            failures.last_at,
        )

    async def credential(self, person_id: str) -> Credential | None:
        row = await self._conn.fetchrow(
            f"select person_id, password_hash, set_at, set_by from {self._s}.credentials "
            "where person_id = $1",
            person_id,
        )
        return Credential(**dict(row)) if row else None

    async def save_credential(self, credential: Credential) -> None:
        await self._conn.execute(
            f"insert into {self._s}.credentials (person_id, password_hash, set_at, set_by) "
            "values ($1, $2, $3, $4) "
            "on conflict (person_id) do update set password_hash = excluded.password_hash, "
            "set_at = excluded.set_at, set_by = excluded.set_by",
            credential.person_id,
            credential.password_hash,
            credential.set_at,
            credential.set_by,
        )

    async def add_session(
        self, session: Session, *, client_address: str | None, user_agent: str | None
    ) -> None:
        await self._conn.execute(
            f"insert into {self._s}.sessions (id, person_id, created_at, expires_at, generation, "
            "client_address, user_agent) values ($1, $2, $3, $4, $5, $6, $7)",
            session.id,
            session.person_id,
            session.created_at,
            session.expires_at,
            session.generation,
            client_address,
            (user_agent or "")[:300] or None,
        )

    async def session(self, session_id: UUID) -> Session | None:
        row = await self._conn.fetchrow(
            f"select id, person_id, created_at, expires_at, generation, revoked_at, revoked_reason "
            f"from {self._s}.sessions where id = $1 for update",
            session_id,
        )
        return Session(**dict(row)) if row else None

    async def save_session(self, session: Session) -> None:
        await self._conn.execute(
            f"update {self._s}.sessions set generation = $2, revoked_at = $3, revoked_reason = $4 "
            "where id = $1",
            session.id,
            session.generation,
            session.revoked_at,
            session.revoked_reason,
        )

    async def refresh_token(self, token_hash: bytes) -> RefreshToken | None:
        row = await self._conn.fetchrow(
            f"select token_hash, session_id, generation, issued_at, expires_at, superseded_at "
            f"from {self._s}.refresh_tokens where token_hash = $1",
            token_hash,
        )
        return RefreshToken(**dict(row)) if row else None

    async def add_refresh_token(self, token: RefreshToken) -> None:
        await self._conn.execute(
            f"insert into {self._s}.refresh_tokens "
            "(token_hash, session_id, generation, issued_at, expires_at) values ($1, $2, $3, $4, $5)",
            token.token_hash,
            token.session_id,
            token.generation,
            token.issued_at,
            token.expires_at,
        )

    async def supersede_refresh_token(self, token_hash: bytes, at: datetime) -> None:
        await self._conn.execute(
            f"update {self._s}.refresh_tokens set superseded_at = $2 where token_hash = $1", token_hash, at
        )

    async def revoke_sessions_of(self, person_id: str, at: datetime, reason: RevokedBecause) -> int:
        result: str = await self._conn.execute(
            f"update {self._s}.sessions set revoked_at = $2, revoked_reason = $3 "
            "where person_id = $1 and revoked_at is null and expires_at > $2",
            person_id,
            at,
            reason.value,
        )
        return int(result.split()[-1])

    async def audit(self, entry: AuditEntry) -> None:
        await self._conn.execute(
            f"insert into {self._s}.audit "
            "(at, action, actor_id, subject_id, session_id, client_address, details) "
            "values ($1, $2, $3, $4, $5, $6, $7::jsonb)",
            entry.at,
            entry.action,
            entry.actor_id,
            entry.subject_id,
            entry.session_id,
            entry.client_address,
            json.dumps(dict(entry.details or {})),
        )


class PgStore:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool = pool
        self._schema = schema

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTransaction]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PgTransaction(conn, self._schema)


async def forget_stale(
    pool: asyncpg.Pool, schema: str, *, now: datetime, forget_failures_after: timedelta
) -> None:
    """Delete failure counts nobody waits on any more and sessions long ended (their tokens with them).
    The audit trail is kept."""
    s = f'"{schema}"'
    async with pool.acquire() as conn:
        await conn.execute(
            f"delete from {s}.sign_in_failures where last_at < $1", now - forget_failures_after
        )
        await conn.execute(f"delete from {s}.sessions where expires_at < $1", now - KEEP_ENDED_SESSIONS)
