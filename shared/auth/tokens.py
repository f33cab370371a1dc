"""Access tokens: RS256 JWTs that name a person, signed by the console or by the city's OIDC issuer.

A token says who its holder is (``sub``, or the claim an OIDC issuer is configured to name people by),
never what they may do: that comes from the registry (``shared.auth.registry``). Only RS256 is accepted,
whatever the token's header asks for, so neither ``none`` nor an HS256 token keyed with a public key
(the classic algorithm confusion) gets through.

The clock is injected and the time claims are checked here rather than by PyJWT (which reads the
system clock), with a leeway of at most ``MAX_LEEWAY_SECONDS`` for machines whose clocks drift apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.errors import InvalidToken
from shared.auth.keys import key_id

ALGORITHM = "RS256"
LOCAL_ISSUER = "gridloop-console"
AUDIENCE = "gridloop"
MAX_LEEWAY_SECONDS = 5
# A header and claims of a few hundred bytes; anything near this is not a token of ours.
MAX_TOKEN_BYTES = 8192

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature, issuer, audience and times have been checked."""

    issuer: str
    person_id: str
    expires_at: datetime
    claims: Mapping[str, Any]

    @property
    def session_id(self) -> str | None:
        sid = self.claims.get("sid")
        return sid if isinstance(sid, str) else None


class Issuer(Protocol):
    """Someone whose tokens we accept: which ``iss`` values are theirs, for which audience, by which
    claim they name a person, and the public key of a key id."""

    @property
    def audience(self) -> str: ...

    @property
    def person_claim(self) -> str: ...

    def accepts(self, iss: str) -> bool: ...

    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey: ...


class LocalIssuer:
    """The console, whose public keys are files on this machine (several while a key is rotated)."""

    person_claim = "sub"

    def __init__(
        self, keys: Sequence[rsa.RSAPublicKey], *, issuer: str = LOCAL_ISSUER, audience: str = AUDIENCE
    ) -> None:
        if not keys:
            raise ValueError("a local issuer needs at least one public key")
        self.issuer = issuer
        self.audience = audience
        self._keys = {key_id(key): key for key in keys}

    def accepts(self, iss: str) -> bool:
        return iss == self.issuer

    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        key = self._keys.get(kid or "")
        if key is None:
            raise InvalidToken(f"the token's key id {kid!r} is none of {self.issuer}'s keys")
        return key


class TokenVerifier:
    def __init__(
        self, issuers: Sequence[Issuer], *, leeway_seconds: float = MAX_LEEWAY_SECONDS, clock: Clock = utc_now
    ) -> None:
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(
                f"clock-skew leeway must be 0 to {MAX_LEEWAY_SECONDS} seconds, not {leeway_seconds}"
            )
        self._issuers = tuple(issuers)
        self._leeway = leeway_seconds
        self._clock = clock

    async def verify(self, token: str) -> VerifiedToken:
        """The token's checked claims. Raises InvalidToken (or AuthUnavailable when an OIDC issuer's
        keys cannot be fetched)."""
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("the token is too long")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"the token is malformed: {error}") from None
        algorithm = header.get("alg")
        if algorithm != ALGORITHM:
            raise InvalidToken(f"tokens must be signed with {ALGORITHM}, not {algorithm!r}")
        iss = unverified.get("iss")
        if not isinstance(iss, str):
            raise InvalidToken("the token names no issuer")
        issuer = next((i for i in self._issuers if i.accepts(iss)), None)
        if issuer is None:
            raise InvalidToken(f"the token's issuer {iss!r} is not one we accept")
        kid = header.get("kid")
        key = await issuer.key_for(kid if isinstance(kid, str) else None)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=issuer.audience,
                issuer=iss,
                # Times are checked below on the injected clock.
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["iss", "aud", "exp", issuer.person_claim],
                },
            )
        except jwt.InvalidAudienceError:
            raise InvalidToken(f"the token is not meant for {issuer.audience!r}") from None
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"the token is invalid: {error}") from None
        expires_at = self._check_times(claims)
        person_id = claims[issuer.person_claim]
        if not isinstance(person_id, str) or not person_id:
            raise InvalidToken(f"the token's {issuer.person_claim!r} claim names no person")
        return VerifiedToken(issuer=iss, person_id=person_id, expires_at=expires_at, claims=claims)

    def _check_times(self, claims: Mapping[str, Any]) -> datetime:
        now = self._clock().timestamp()
        exp, nbf, iat = (_seconds(claims, name) for name in ("exp", "nbf", "iat"))
        assert exp is not None  # required above
        if exp <= now - self._leeway:
            raise InvalidToken("the token has expired")
        if nbf is not None and nbf > now + self._leeway:
            raise InvalidToken("the token is not valid yet (nbf)")
        if iat is not None and iat > now + self._leeway:
            raise InvalidToken("the token was issued in the future (iat): check the clocks")
        return datetime.fromtimestamp(exp, UTC)


def _seconds(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"the token's {name!r} claim is not a number of seconds")
    return float(value)


def sign_access_token(
    *,
    key: rsa.RSAPrivateKey,
    person_id: str,
    now: datetime,
    lifetime: timedelta,
    session_id: str | None = None,
    issuer: str = LOCAL_ISSUER,
    audience: str = AUDIENCE,
) -> str:
    """An access token for ``person_id``. It names the person only: no role, no unit."""
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": person_id,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": key_id(key.public_key())})
