"""People's bearer tokens: HS256 JWTs naming the person, their role and the unit they serve.

Claims: ``sub`` (person id), ``role``, ``unit_id``, ``exp``. ``tools/token.py`` mints them for
development; in production the city's identity provider signs them with the shared secret.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "role", "unit_id", "exp")


class Principal(BaseModel):
    """The person a request acts for."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    person_id: str = Field(min_length=1, max_length=200, validation_alias="sub")
    role: str = Field(min_length=1, max_length=64)
    unit_id: str = Field(min_length=1, max_length=200)


class InvalidToken(Exception):
    """The token is missing, malformed, badly signed, expired or lacks a claim."""


def decode_token(token: str, secret: str, *, leeway_seconds: int = 30) -> Principal:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": list(REQUIRED_CLAIMS)},
            leeway=leeway_seconds,
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"token is invalid: {exc}") from exc
    try:
        return Principal.model_validate(claims)
    except ValidationError as exc:
        raise InvalidToken("token claims are invalid") from exc


def encode_token(
    *, person_id: str, role: str, unit_id: str, secret: str, lifetime: timedelta, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": person_id,
        "role": role,
        "unit_id": unit_id,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def token_expiry(request: Request) -> datetime | None:
    """When the request's bearer token expires. ``current_viewer`` has verified the token for this
    request already, so its claims are read here without checking the signature a second time."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        return None
