"""Which tokens a service accepts: the console's (its public key files) and a city's OIDC issuer's.

Every service that authenticates people subclasses ``AuthSettings``. Like every shared setting, each can
be given once for the whole stack (``GRIDLOOP_AUTH_PUBLIC_KEY_FILE``, ``GRIDLOOP_OIDC_ISSUER_URL``) or per
service (``GRIDLOOP_HANDLING_OIDC_ISSUER_URL``); the service's own wins.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field, field_validator, model_validator

from shared.auth.http import Authenticator
from shared.auth.keys import load_public_key
from shared.auth.oidc import OidcIssuer
from shared.auth.tokens import (
    AUDIENCE,
    LOCAL_ISSUER,
    MAX_LEEWAY_SECONDS,
    Clock,
    Issuer,
    LocalIssuer,
    TokenVerifier,
    utc_now,
)
from shared.city import City
from shared.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    # The console's public key (PEM). Several files separated by commas while a key is being rotated:
    # the old one until the last token it signed has expired, and the new one.
    auth_public_key_file: str = ""
    auth_issuer: str = LOCAL_ISSUER
    auth_audience: str = AUDIENCE
    # Clocks of two machines are never quite equal; never more than a few seconds of grace.
    auth_leeway_seconds: float = Field(default=MAX_LEEWAY_SECONDS, ge=0, le=MAX_LEEWAY_SECONDS)
    # The city's identity provider, by its issuer URL (discovery at <url>/.well-known/openid-configuration).
    oidc_issuer_url: str = ""
    # The audience its tokens carry for gridloop (default: auth_audience).
    oidc_audience: str = ""
    # The claim that holds the registry's person_id (e.g. preferred_username when sub is an opaque id).
    oidc_person_claim: str = "sub"
    oidc_jwks_max_age_seconds: float = Field(default=3600.0, gt=0)
    # A token with an unknown key id makes us fetch the key set again, at most this often.
    oidc_jwks_min_refetch_seconds: float = Field(default=30.0, ge=0)
    oidc_timeout_seconds: float = Field(default=5.0, gt=0)

    @property
    def public_key_files(self) -> tuple[Path, ...]:
        return tuple(Path(part.strip()) for part in self.auth_public_key_file.split(",") if part.strip())

    @field_validator("oidc_issuer_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @model_validator(mode="after")
    def _https_outside_dev(self) -> AuthSettings:
        parts = urlsplit(self.oidc_issuer_url)
        if (
            self.oidc_issuer_url
            and parts.scheme != "https"
            and self.env == "prod"
            and not _loopback(parts.hostname)
        ):
            raise ValueError(
                f"oidc_issuer_url must be https outside development, not {self.oidc_issuer_url!r}"
            )
        return self


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def build_authenticator(
    settings: AuthSettings,
    *,
    city: City,
    clock: Clock = utc_now,
    local_keys: Sequence[rsa.RSAPublicKey] = (),
) -> Authenticator:
    """The authenticator the settings describe; ``aclose()`` it when the service stops (it may hold an
    HTTP client to the identity provider). ``local_keys``: public keys of the local issuer besides the
    files' (the console's own). Raises ValueError when no issuer is configured, KeyFileError when a key
    file cannot be read."""
    issuers: list[Issuer] = []
    keys = [*local_keys, *(load_public_key(path) for path in settings.public_key_files)]
    if keys:
        issuers.append(LocalIssuer(keys, issuer=settings.auth_issuer, audience=settings.auth_audience))
    http = None
    if settings.oidc_issuer_url:
        http = httpx.AsyncClient(timeout=settings.oidc_timeout_seconds)
        issuers.append(
            OidcIssuer(
                settings.oidc_issuer_url,
                audience=settings.oidc_audience or settings.auth_audience,
                http=http,
                person_claim=settings.oidc_person_claim,
                max_age_seconds=settings.oidc_jwks_max_age_seconds,
                min_refetch_seconds=settings.oidc_jwks_min_refetch_seconds,
            )
        )
    if not issuers:
        raise ValueError(
            "no token issuer is configured: set GRIDLOOP_AUTH_PUBLIC_KEY_FILE (the console's public key) "
            "and/or GRIDLOOP_OIDC_ISSUER_URL"
        )
    verifier = TokenVerifier(issuers, leeway_seconds=settings.auth_leeway_seconds, clock=clock)
    return Authenticator(verifier, city, clock=clock, http=http)


@asynccontextmanager
async def open_authenticator(
    settings: AuthSettings,
    *,
    city: City,
    clock: Clock = utc_now,
    local_keys: Sequence[rsa.RSAPublicKey] = (),
) -> AsyncIterator[Authenticator]:
    """``build_authenticator`` for the length of a ``with`` block."""
    authenticator = build_authenticator(settings, city=city, clock=clock, local_keys=local_keys)
    try:
        yield authenticator
    finally:
        await authenticator.aclose()
