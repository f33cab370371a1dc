"""Sessions: one per sign-in, carried by a refresh token that rotates at every use.

A refresh token is used once: using it gives a new one and supersedes it. Presenting a superseded token
again means two parties hold the session's tokens (one of them stole it), so the whole session is
revoked — unless it comes within a few seconds of the rotation and is the token just superseded, which is
what two browser tabs refreshing at the same moment look like: that one is told to carry on with the
cookies the other tab received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID


@dataclass(frozen=True)
class SessionPolicy:
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    session_lifetime: timedelta
    reuse_grace: timedelta


@dataclass(frozen=True)
class Session:
    id: UUID
    person_id: str
    created_at: datetime
    # No refresh after this, however often the session was refreshed.
    expires_at: datetime
    # The generation of the session's current refresh token (the first is 1).
    generation: int
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


@dataclass(frozen=True)
class RefreshToken:
    """A refresh token as stored: only the SHA-256 of the token itself is kept."""

    token_hash: bytes
    session_id: UUID
    generation: int
    issued_at: datetime
    expires_at: datetime
    superseded_at: datetime | None = None


class RevokedBecause(StrEnum):
    SIGNED_OUT = "signed_out"
    REFRESH_REUSED = "refresh_reused"
    PASSWORD_SET = "password_set"
    LEFT_REGISTRY = "left_registry"


class Refresh(StrEnum):
    """What to do with a presented refresh token."""

    ROTATE = "rotate"
    CARRY_ON = "carry_on"  # a tab raced another one: no new tokens, none revoked
    REUSED = "reused"  # revoke the session
    ENDED = "ended"  # unknown, expired or revoked: sign in again


def new_session(
    session_id: UUID, person_id: str, now: datetime, policy: SessionPolicy
) -> tuple[Session, datetime]:
    """A session begun at ``now``, and when its first refresh token expires."""
    session = Session(
        id=session_id,
        person_id=person_id,
        created_at=now,
        expires_at=now + policy.session_lifetime,
        generation=1,
    )
    return session, refresh_expiry(session, now, policy)


def refresh_expiry(session: Session, now: datetime, policy: SessionPolicy) -> datetime:
    return min(now + policy.refresh_lifetime, session.expires_at)


def judge_refresh(
    session: Session | None, token: RefreshToken | None, now: datetime, policy: SessionPolicy
) -> Refresh:
    if session is None or token is None or session.revoked_at is not None:
        return Refresh.ENDED
    if token.superseded_at is not None:
        raced = token.generation == session.generation - 1 and now - token.superseded_at <= policy.reuse_grace
        return Refresh.CARRY_ON if raced and now < session.expires_at else Refresh.REUSED
    if now >= token.expires_at or now >= session.expires_at:
        return Refresh.ENDED
    return Refresh.ROTATE


def rotated(session: Session) -> Session:
    return Session(**{**session.__dict__, "generation": session.generation + 1})


def revoked(session: Session, now: datetime, reason: RevokedBecause) -> Session:
    return Session(**{**session.__dict__, "revoked_at": now, "revoked_reason": reason.value})
