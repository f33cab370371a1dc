"""Who a request acts for: RS256 access tokens (the console's, or a city's OIDC issuer's) verified, then
authorized against the registry in force that day.

``open_authenticator(settings, city=...)`` builds the one ``Authenticator`` a service needs;
``Authenticator.caller(request)`` gives the ``Caller`` (registry record and jurisdiction) or raises the
HTTP error. ``sign_access_token`` mints tokens (the console; ``tools.token`` in development).
"""

from shared.auth.errors import AuthUnavailable, InvalidToken, RefusedByRegistry, Unauthenticated
from shared.auth.http import ACCESS_COOKIE, Authenticator, DocumentedBearer, token_from
from shared.auth.keys import KeyFileError, generate_key_pair, key_id, load_private_key, load_public_key
from shared.auth.oidc import OidcIssuer
from shared.auth.registry import Caller, Jurisdiction, Level, authorize, covers, jurisdiction_of
from shared.auth.settings import AuthSettings, build_authenticator, open_authenticator
from shared.auth.tokens import (
    ALGORITHM,
    AUDIENCE,
    LOCAL_ISSUER,
    LocalIssuer,
    TokenVerifier,
    VerifiedToken,
    sign_access_token,
)

__all__ = [
    "ACCESS_COOKIE",
    "ALGORITHM",
    "AUDIENCE",
    "LOCAL_ISSUER",
    "AuthSettings",
    "AuthUnavailable",
    "Authenticator",
    "Caller",
    "DocumentedBearer",
    "InvalidToken",
    "Jurisdiction",
    "KeyFileError",
    "Level",
    "LocalIssuer",
    "OidcIssuer",
    "RefusedByRegistry",
    "TokenVerifier",
    "Unauthenticated",
    "VerifiedToken",
    "authorize",
    "build_authenticator",
    "covers",
    "generate_key_pair",
    "jurisdiction_of",
    "key_id",
    "load_private_key",
    "load_public_key",
    "open_authenticator",
    "sign_access_token",
    "token_from",
]
