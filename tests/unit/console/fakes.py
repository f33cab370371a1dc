"""In-memory fakes of the console's ports: the same handlers, no database, no argon2, no RSA."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from services.console.domain.sessions import RefreshToken, RevokedBecause, Session, SessionPolicy
from services.console.domain.throttle import Failures, Scope, SlowDownPolicy
from services.console.handlers import Console
from services.console.ports import AuditEntry, Credential
from shared.city import City


@dataclass
class Tables:
    failures: dict[tuple[Scope, str], Failures] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)
    sessions: dict[UUID, Session] = field(default_factory=dict)
    tokens: dict[bytes, RefreshToken] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)


class MemoryTransaction:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def failures(self, scope: Scope, key: str) -> Failures:
        return self.t.failures.get((scope, key), Failures())

    async def save_failures(self, scope: Scope, key: str, failures: Failures) -> None:
        if failures.count == 0:
            self.t.failures.pop((scope, key), None)
        else:
            self.t.failures[(scope, key)] = failures

    async def credential(self, person_id: str) -> Credential | None:
        return self.t.credentials.get(person_id)

    async def save_credential(self, credential: Credential) -> None:
        self.t.credentials[credential.person_id] = credential

    async def add_session(
        self, session: Session, *, client_address: str | None, user_agent: str | None
    ) -> None:
        self.t.sessions[session.id] = session

    async def session(self, session_id: UUID) -> Session | None:
        return self.t.sessions.get(session_id)

    async def save_session(self, session: Session) -> None:
        self.t.sessions[session.id] = session

    async def refresh_token(self, token_hash: bytes) -> RefreshToken | None:
        return self.t.tokens.get(token_hash)

    async def add_refresh_token(self, token: RefreshToken) -> None:
        self.t.tokens[token.token_hash] = token

    async def supersede_refresh_token(self, token_hash: bytes, at: datetime) -> None:
        self.t.tokens[token_hash] = replace(self.t.tokens[token_hash], superseded_at=at)

    async def revoke_sessions_of(self, person_id: str, at: datetime, reason: RevokedBecause) -> int:
        live = [s for s in self.t.sessions.values() if s.person_id == person_id and s.revoked_at is None]
        for session in live:
            self.t.sessions[session.id] = replace(session, revoked_at=at, revoked_reason=reason.value)
        return len(live)

    async def audit(self, entry: AuditEntry) -> None:
        self.t.audit.append(entry)


class MemoryStore:
    """Commits at the end of a transaction, rolls back (restores the tables) when it raises."""

    def __init__(self) -> None:
        self.tables = Tables()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryTransaction]:
        before = copy.deepcopy(self.tables)
        try:
            yield MemoryTransaction(self.tables)
        except BaseException:
            self.tables = before
            raise


class PlainHasher:
    """'hash:<password>'; remembers which hashes it was asked to check."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    async def hash(self, password: str) -> str:
        return f"hash:{password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.checked.append(password_hash)
        return password_hash == f"hash:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class NamedTokens:
    def access_token(self, *, person_id: str, session_id: UUID, now: datetime) -> str:
        return f"access:{person_id}:{session_id}:{now.isoformat()}"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# 09:00 in Yancheng on a Monday.
MONDAY_MORNING = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
DUMMY_HASH = "hash:nobody-knows-this"

POLICY = SessionPolicy(
    access_lifetime=timedelta(minutes=5),
    refresh_lifetime=timedelta(hours=12),
    session_lifetime=timedelta(days=7),
    reuse_grace=timedelta(seconds=10),
)
PERSON_SLOW_DOWN = SlowDownPolicy(
    free_failures=5,
    base_delay=timedelta(seconds=1),
    max_delay=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)
ADDRESS_SLOW_DOWN = replace(PERSON_SLOW_DOWN, free_failures=20)


@dataclass
class Harness:
    """The handlers' Console over the fakes, and the fakes themselves to look into."""

    console: Console
    store: MemoryStore
    hasher: PlainHasher
    clock: Clock

    @property
    def tables(self) -> Tables:
        return self.store.tables


def harness(city: City, now: datetime = MONDAY_MORNING) -> Harness:
    counter = iter(range(1, 1_000_000))
    store, hasher, clock = MemoryStore(), PlainHasher(), Clock(now)
    console = Console(
        store=store,
        hasher=hasher,
        signer=NamedTokens(),
        city=city,
        clock=clock,
        sessions=POLICY,
        person_slow_down=PERSON_SLOW_DOWN,
        address_slow_down=ADDRESS_SLOW_DOWN,
        dummy_hash=DUMMY_HASH,
        new_refresh_token=lambda: f"refresh-{next(counter)}",
    )
    return Harness(console, store, hasher, clock)
