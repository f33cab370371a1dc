"""Why a request is not let in: its token (401), the registry (401), or an issuer we cannot reach (503)."""

from __future__ import annotations


class Unauthenticated(Exception):
    """The request names nobody we accept: no token, a bad one, or a person the registry refuses."""


class InvalidToken(Unauthenticated):
    """The token is malformed, badly signed, expired, from an unknown issuer or for another audience."""


class RefusedByRegistry(Unauthenticated):
    """The token is good but the registry in force today does not back it: the person is not (or no
    longer) in it, or the token claims a role or unit the registry does not give them."""


class AuthUnavailable(Exception):
    """The identity provider's keys cannot be fetched, so no token of it can be checked just now."""
