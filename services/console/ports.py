"""What the handlers need from the world, as protocols: the store (PostgreSQL in ``repository.py``, a
dictionary in the unit tests), the password hasher, the token signer and the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from services.console.domain.sessions import RefreshToken, RevokedBecause, Session
from services.console.domain.throttle import Failures, Scope

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Credential:
    person_id: str
    password_hash: str
    set_at: datetime
    set_by: str


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    actor_id: str | None
    subject_id: str | None = None
    session_id: UUID | None = None
    client_address: str | None = None
    details: Mapping[str, Any] | None = None


class Transaction(Protocol):
    """Everything read or written inside one database transaction."""

    async def failures(self, scope: Scope, key: str) -> Failures:
        """The failures counted against a person or address, locked until the transaction ends."""
        ...

    async def save_failures(self, scope: Scope, key: str, failures: Failures) -> None: ...

    async def credential(self, person_id: str) -> Credential | None: ...

    async def save_credential(self, credential: Credential) -> None: ...

    async def add_session(
        self, session: Session, *, client_address: str | None, user_agent: str | None
    ) -> None: ...

    async def session(self, session_id: UUID) -> Session | None:
        """The session, locked until the transaction ends."""
        ...

    async def save_session(self, session: Session) -> None: ...

    async def refresh_token(self, token_hash: bytes) -> RefreshToken | None: ...

    async def add_refresh_token(self, token: RefreshToken) -> None: ...

    async def supersede_refresh_token(self, token_hash: bytes, at: datetime) -> None: ...

    async def revoke_sessions_of(self, person_id: str, at: datetime, reason: RevokedBecause) -> int:
        """Revoke every live session of a person; how many there were."""
        ...

    async def audit(self, entry: AuditEntry) -> None: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches; a malformed hash matches nothing."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class TokenSigner(Protocol):
    def access_token(self, *, person_id: str, session_id: UUID, now: datetime) -> str: ...
