"""What the console refuses, in the domain's words; ``api/errors.py`` is the one place they become HTTP."""

from __future__ import annotations

import math
from datetime import timedelta

from services.console.domain.sessions import RevokedBecause


class ConsoleError(Exception):
    """A refusal of the console's."""


class BadCredentials(ConsoleError):
    """The person id or the password is wrong; which of the two is never said."""

    def __init__(self) -> None:
        super().__init__("the person id or the password is wrong")


class SlowedDown(ConsoleError):
    """Too many failed sign-ins lately, for this person or from this address: try again later."""

    def __init__(self, wait: timedelta) -> None:
        self.retry_after_seconds = max(1, math.ceil(wait.total_seconds()))
        super().__init__(f"too many failed sign-ins: try again in {self.retry_after_seconds} s")


class SessionEnded(ConsoleError):
    """The session cannot go on: unknown, expired, signed out, revoked, or its person left the registry.
    ``revoked_because`` says why when this very request revoked it."""

    def __init__(self, message: str, revoked_because: RevokedBecause | None = None) -> None:
        super().__init__(message)
        self.revoked_because = revoked_because


class Forbidden(ConsoleError):
    """The person may not do this (their role, or the other person is outside their jurisdiction)."""


class UnknownPerson(ConsoleError):
    """No such person in the registry in force today."""


class WeakPassword(ConsoleError):
    """The new password breaks the password rules."""
