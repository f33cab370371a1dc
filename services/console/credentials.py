"""The secrets of a session: passwords hashed with argon2id, opaque refresh tokens kept as SHA-256, and
access tokens signed with the console's RS256 key."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

import argon2
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import sign_access_token


class Argon2Hasher:
    """argon2id; hashing and checking run in a worker thread (tens of milliseconds of CPU each)."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Hashed with other costs than today's (they were raised since): hash it again at sign-in."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except argon2.exceptions.InvalidHashError:
            return True


def new_refresh_token() -> str:
    """256 random bits: nothing to guess, so a plain SHA-256 is enough to keep it."""
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class AccessTokenSigner:
    def __init__(self, key: rsa.RSAPrivateKey, *, issuer: str, lifetime: timedelta) -> None:
        self._key = key
        self._issuer = issuer
        self.lifetime = lifetime

    def access_token(self, *, person_id: str, session_id: UUID, now: datetime) -> str:
        return sign_access_token(
            key=self._key,
            person_id=person_id,
            session_id=str(session_id),
            now=now,
            lifetime=self.lifetime,
            issuer=self._issuer,
        )
