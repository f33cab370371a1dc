"""A city's own identity provider, configured by its issuer URL (OpenID Connect Discovery 1.0).

Discovery (``<issuer>/.well-known/openid-configuration``) gives the ``jwks_uri``; the JSON Web Key Set is
fetched and cached. A token signed with a key id the cache does not know makes us fetch the set again
(the provider rotated its keys), but not more often than every ``min_refetch_seconds``, so that tokens
with made-up key ids cannot turn us into a flood against the provider. When the provider cannot be
reached, keys already fetched keep working.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from shared.auth.errors import AuthUnavailable, InvalidToken
from shared.auth.keys import key_id
from shared.auth.tokens import ALGORITHM

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"


class OidcIssuer:
    def __init__(
        self,
        url: str,
        *,
        audience: str,
        http: httpx.AsyncClient,
        person_claim: str = "sub",
        max_age_seconds: float = 3600.0,
        min_refetch_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/")
        self.audience = audience
        self.person_claim = person_claim
        self._http = http
        self._max_age = max_age_seconds
        self._min_refetch = min_refetch_seconds
        self._monotonic = monotonic
        self._jwks_uri: str | None = None
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    def accepts(self, iss: str) -> bool:
        return iss.rstrip("/") == self.url

    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey:
        key = self._known(kid)
        if key is not None and self._fresh():
            return key
        async with self._lock:
            # Another request may have fetched the set while this one waited for the lock.
            key = self._known(kid)
            if (key is None or not self._fresh()) and self._may_fetch():
                await self._refresh()
                key = self._known(kid)
        if key is not None:
            return key
        if not self._keys:
            raise AuthUnavailable(f"no signing key of {self.url} could be fetched yet")
        raise InvalidToken(f"the token's key id {kid!r} is not in {self.url}'s key set")

    def _known(self, kid: str | None) -> rsa.RSAPublicKey | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _fresh(self) -> bool:
        return self._fetched_at is not None and self._monotonic() - self._fetched_at < self._max_age

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or self._monotonic() - self._attempted_at >= self._min_refetch

    async def _refresh(self) -> None:
        self._attempted_at = self._monotonic()
        try:
            if self._jwks_uri is None:
                self._jwks_uri = _jwks_uri(await self._get_json(self.url + DISCOVERY_PATH), self.url)
            keys = _rsa_keys(await self._get_json(self._jwks_uri))
        except (httpx.HTTPError, ValueError) as error:
            if not self._keys:
                raise AuthUnavailable(f"cannot fetch the key set of {self.url}: {error}") from None
            log.warning(
                "cannot refresh the OIDC key set; keeping the keys we have",
                extra={"issuer": self.url, "error": str(error)},
            )
            return
        self._keys = keys
        self._fetched_at = self._monotonic()
        log.info("fetched the OIDC key set", extra={"issuer": self.url, "keys": len(keys)})

    async def _get_json(self, url: str) -> Any:
        self.fetches += 1
        response = await self._http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()


def _jwks_uri(discovery: Any, issuer: str) -> str:
    if not isinstance(discovery, dict):
        raise ValueError("the discovery document is not a JSON object")
    # OpenID Connect Discovery §4.3: the document's issuer must be the one we asked.
    announced = discovery.get("issuer")
    if not isinstance(announced, str) or announced.rstrip("/") != issuer:
        raise ValueError(f"the discovery document names issuer {announced!r}, not {issuer!r}")
    uri = discovery.get("jwks_uri")
    if not isinstance(uri, str) or urlsplit(uri).scheme not in ("http", "https"):
        raise ValueError(f"the discovery document has no usable jwks_uri ({uri!r})")
    return uri


def _rsa_keys(document: Any) -> dict[str, rsa.RSAPublicKey]:
    """The RS256 signing keys of a JWK Set, by key id; other kinds of key are left out."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the key set is not a JWK Set")
    keys = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            key = RSAAlgorithm.from_jwk(jwk)
        except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
            log.warning("skipping an unreadable key of the OIDC key set", extra={"kid": jwk.get("kid")})
            continue
        if isinstance(key, rsa.RSAPublicKey):
            kid = jwk.get("kid")
            keys[kid if isinstance(kid, str) and kid else key_id(key)] = key
    return keys
