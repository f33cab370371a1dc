"""The person an HTTP request acts for: its token (a Bearer header, else the console's cookie), verified
and then authorized against the registry in force today.

Services put one ``Authenticator`` in their runtime and call ``caller(request)`` from their ``deps.py``.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from shared.auth.errors import AuthUnavailable, Unauthenticated
from shared.auth.registry import Caller, authorize
from shared.auth.tokens import Clock, TokenVerifier, utc_now
from shared.city import City
from shared.http import ApiError

# The cookie the console sets when a person signs in in a browser (HttpOnly: scripts never see it).
ACCESS_COOKIE = "gridloop_access"

# Declared on the routes for the interactive docs (/docs) to offer a token; the token itself is read by
# ``token_from``, which also takes the cookie.
BEARER = HTTPBearer(
    auto_error=False,
    description="An access token: `python -m tools.token <person_id>` in development; the console's "
    "session cookie (gridloop_access) is taken too.",
)
DocumentedBearer = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


def token_from(connection: HTTPConnection) -> str | None:
    """The bearer token of an ``Authorization: Bearer …`` header, else the access cookie's."""
    scheme, _, credentials = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return connection.cookies.get(ACCESS_COOKIE) or None


class Authenticator:
    def __init__(
        self,
        verifier: TokenVerifier,
        city: City,
        *,
        clock: Clock = utc_now,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        """``http``: the client an OIDC issuer fetches its keys with, closed by ``aclose``."""
        self._verifier = verifier
        self._city = city
        self._clock = clock
        self._http = http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def authenticate(self, token: str | None) -> Caller:
        """The caller a token stands for today. Raises Unauthenticated or AuthUnavailable."""
        if not token:
            raise Unauthenticated("sign in, or send a bearer token: Authorization: Bearer <jwt>")
        verified = await self._verifier.verify(token)
        today = self._city.local_time(self._clock()).date()
        return authorize(verified, self._city.as_of(today))

    async def caller(self, connection: HTTPConnection) -> Caller:
        """``authenticate`` for a request, its refusals as the HTTP errors they are (401, 503)."""
        token = token_from(connection)
        try:
            return await self.authenticate(token)
        except Unauthenticated as refusal:
            # RFC 6750 §3: a request with no token gets the bare challenge, a bad token its error.
            challenge = 'Bearer error="invalid_token"' if token else "Bearer"
            raise ApiError(
                401, "unauthorized", str(refusal), headers={"WWW-Authenticate": challenge}
            ) from None
        except AuthUnavailable as outage:
            raise ApiError(503, "auth_unavailable", str(outage), headers={"Retry-After": "5"}) from None
