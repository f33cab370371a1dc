"""The console's domain: sessions and their refresh rules, sign-in slow-down, password rules. Pure."""

from services.console.domain.errors import (
    BadCredentials,
    ConsoleError,
    Forbidden,
    SessionEnded,
    SlowedDown,
    UnknownPerson,
    WeakPassword,
)

__all__ = [
    "BadCredentials",
    "ConsoleError",
    "Forbidden",
    "SessionEnded",
    "SlowedDown",
    "UnknownPerson",
    "WeakPassword",
]
