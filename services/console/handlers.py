"""One handler per command: sign in, refresh a session, sign out, set a password.

Each loads what it needs inside a transaction, lets the domain decide, and saves the outcome with its
audit row in the same transaction. Passwords are checked and hashed outside any transaction: that takes
tens of milliseconds, and no row should stay locked meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from services.console.credentials import new_refresh_token, refresh_token_hash
from services.console.domain import (
    BadCredentials,
    Forbidden,
    SessionEnded,
    SlowedDown,
    UnknownPerson,
    WeakPassword,
)
from services.console.domain.passwords import password_problem, refusal_to_set, refusal_to_set_any
from services.console.domain.sessions import (
    Refresh,
    RefreshToken,
    RevokedBecause,
    Session,
    SessionPolicy,
    judge_refresh,
    new_session,
    refresh_expiry,
    revoked,
    rotated,
)
from services.console.domain.throttle import (
    NO_WAIT,
    Failures,
    Scope,
    SlowDownPolicy,
    attempted,
    succeeded,
    wait_before_next,
)
from services.console.ports import (
    AuditEntry,
    Clock,
    Credential,
    PasswordHasher,
    Store,
    TokenSigner,
    Transaction,
)
from shared.auth import Caller
from shared.city import City, Person

# Who set a password from the command line, in the credential and the audit trail.
COMMAND_LINE = "cli"


@dataclass(frozen=True)
class Console:
    """What the handlers are given: the ports, the registry and the rules."""

    store: Store
    hasher: PasswordHasher
    signer: TokenSigner
    city: City
    clock: Clock
    sessions: SessionPolicy
    person_slow_down: SlowDownPolicy
    address_slow_down: SlowDownPolicy
    # A hash of nothing anyone knows, checked for people without a password so that their sign-in takes
    # as long as anyone's: the time taken does not tell who has a password.
    dummy_hash: str
    new_id: Callable[[], UUID] = field(default=uuid4)
    new_refresh_token: Callable[[], str] = field(default=new_refresh_token)

    def today(self) -> date:
        """Today on the city's wall clock."""
        return self.city.local_time(self.clock()).date()

    def registry(self, now: datetime) -> City:
        """The registry in force on ``now``'s day in the city."""
        return self.city.as_of(self.city.local_time(now).date())

    def person(self, person_id: str, now: datetime) -> Person | None:
        try:
            return self.registry(now).person(person_id)
        except KeyError:
            return None


@dataclass(frozen=True)
class SignedIn:
    """A session going on: its person, its tokens (none when a racing tab is told to carry on)."""

    person: Person
    session_id: UUID
    session_expires_at: datetime
    access_token: str | None
    refresh_token: str | None
    refresh_expires_at: datetime | None


async def sign_in(
    console: Console, *, person_id: str, password: str, client_address: str | None, user_agent: str | None
) -> SignedIn:
    """Raises SlowedDown (too many failures lately) or BadCredentials (whatever was wrong)."""
    now = console.clock()
    async with console.store.transaction() as tx:
        await _count_attempt(console, tx, person_id, client_address, now)
        credential = await tx.credential(person_id)
    matches = await console.hasher.verify(
        credential.password_hash if credential else console.dummy_hash, password
    )
    person = console.person(person_id, now)
    if credential is None or person is None or not matches:
        async with console.store.transaction() as tx:
            await tx.audit(AuditEntry(now, "sign_in_failed", None, person_id, client_address=client_address))
        raise BadCredentials()
    rehashed = (
        await console.hasher.hash(password) if console.hasher.needs_rehash(credential.password_hash) else None
    )
    session, refresh_expires = new_session(console.new_id(), person_id, now, console.sessions)
    refresh = console.new_refresh_token()
    async with console.store.transaction() as tx:
        await tx.save_failures("person", person_id, Failures())
        if client_address is not None:
            await tx.save_failures(
                "address", client_address, succeeded(await tx.failures("address", client_address))
            )
        if rehashed is not None:
            await tx.save_credential(Credential(person_id, rehashed, credential.set_at, credential.set_by))
        await tx.add_session(session, client_address=client_address, user_agent=user_agent)
        await tx.add_refresh_token(
            RefreshToken(refresh_token_hash(refresh), session.id, 1, now, refresh_expires)
        )
        await tx.audit(AuditEntry(now, "signed_in", person_id, person_id, session.id, client_address))
    return _tokens(console, person, session, now, refresh, refresh_expires)


async def _count_attempt(
    console: Console, tx: Transaction, person_id: str, client_address: str | None, now: datetime
) -> None:
    """Refuse the attempt while the person or address must wait; else count it as failed until it
    succeeds. The rows stay locked until the transaction ends: parallel attempts queue here."""
    scopes: list[tuple[Scope, str, SlowDownPolicy]] = [("person", person_id, console.person_slow_down)]
    if client_address is not None:
        scopes.append(("address", client_address, console.address_slow_down))
    counted = [(scope, key, policy, await tx.failures(scope, key)) for scope, key, policy in scopes]
    wait = max(wait_before_next(failures, policy, now) for _, _, policy, failures in counted)
    if wait > NO_WAIT:
        raise SlowedDown(wait)
    for scope, key, policy, failures in counted:
        await tx.save_failures(scope, key, attempted(failures, policy, now))


async def refresh(console: Console, *, refresh_token: str, client_address: str | None) -> SignedIn:
    """A new access token and refresh token for the session of ``refresh_token``. Raises SessionEnded
    (with ``revoked_because`` when this very refresh revoked the session)."""
    now = console.clock()
    ended: RevokedBecause | None = None
    async with console.store.transaction() as tx:
        token = await tx.refresh_token(refresh_token_hash(refresh_token))
        session = await tx.session(token.session_id) if token else None
        decision = judge_refresh(session, token, now, console.sessions)
        if decision is Refresh.ENDED or session is None:
            raise SessionEnded("the session has ended: sign in again")
        person = console.person(session.person_id, now)
        if decision is Refresh.REUSED:
            ended = RevokedBecause.REFRESH_REUSED
        elif person is None:
            ended = RevokedBecause.LEFT_REGISTRY
        if ended is not None:
            await tx.save_session(revoked(session, now, ended))
            details = {"generation": token.generation if token else None, "reason": ended.value}
            await tx.audit(
                AuditEntry(
                    now, "session_revoked", None, session.person_id, session.id, client_address, details
                )
            )
        elif decision is Refresh.ROTATE:
            assert token is not None
            assert person is not None
            next_token = console.new_refresh_token()
            expires = refresh_expiry(session, now, console.sessions)
            await tx.supersede_refresh_token(token.token_hash, now)
            session = rotated(session)
            await tx.add_refresh_token(
                RefreshToken(refresh_token_hash(next_token), session.id, session.generation, now, expires)
            )
            await tx.save_session(session)
            return _tokens(console, person, session, now, next_token, expires)
    if ended is not None:
        raise _ended(ended)
    assert person is not None  # CARRY_ON with the person still in force
    return SignedIn(person, session.id, session.expires_at, None, None, None)


def _ended(reason: RevokedBecause) -> SessionEnded:
    if reason is RevokedBecause.REFRESH_REUSED:
        return SessionEnded(
            "this refresh token was already used: the session is revoked, sign in again", reason
        )
    return SessionEnded("the person is no longer in the registry: the session is revoked", reason)


def _tokens(
    console: Console, person: Person, session: Session, now: datetime, refresh: str, refresh_expires: datetime
) -> SignedIn:
    access = console.signer.access_token(person_id=person.person_id, session_id=session.id, now=now)
    return SignedIn(person, session.id, session.expires_at, access, refresh, refresh_expires)


async def sign_out(
    console: Console, *, session_id: UUID | None, refresh_token: str | None, client_address: str | None
) -> bool:
    """Revoke the session the access token or the refresh token belongs to. Whether one was live."""
    now = console.clock()
    async with console.store.transaction() as tx:
        if session_id is None and refresh_token:
            token = await tx.refresh_token(refresh_token_hash(refresh_token))
            session_id = token.session_id if token else None
        session = await tx.session(session_id) if session_id else None
        if session is None or session.revoked_at is not None:
            return False
        await tx.save_session(revoked(session, now, RevokedBecause.SIGNED_OUT))
        await tx.audit(
            AuditEntry(now, "signed_out", session.person_id, session.person_id, session.id, client_address)
        )
    return True


async def set_password(
    console: Console, *, by: Caller | None, person_id: str, password: str, client_address: str | None = None
) -> int:
    """Set ``person_id``'s password (``by`` a supervisor, or None from the command line) and revoke their
    sessions; how many were revoked. Raises Forbidden, UnknownPerson or WeakPassword."""
    now = console.clock()
    if by is not None and (refusal := refusal_to_set_any(by)):
        raise Forbidden(refusal)
    city = console.registry(now)
    try:
        person = city.person(person_id)
    except KeyError:
        raise UnknownPerson(f"no person {person_id!r} in the registry in force today") from None
    if by is not None and (refusal := refusal_to_set(by, person, city)):
        raise Forbidden(refusal)
    if problem := password_problem(person_id, password):
        raise WeakPassword(problem)
    password_hash = await console.hasher.hash(password)
    setter = by.person_id if by else COMMAND_LINE
    async with console.store.transaction() as tx:
        await tx.save_credential(Credential(person_id, password_hash, now, setter))
        ended = await tx.revoke_sessions_of(person_id, now, RevokedBecause.PASSWORD_SET)
        action = "password_reset" if by else "password_set"
        details = {"sessions_revoked": ended}
        await tx.audit(
            AuditEntry(now, action, setter, person_id, client_address=client_address, details=details)
        )
    return ended
