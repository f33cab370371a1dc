"""The one place the console's domain errors become HTTP errors (``{"error": {"code", "message"}}``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.console.domain import (
    BadCredentials,
    Forbidden,
    SessionEnded,
    SlowedDown,
    UnknownPerson,
    WeakPassword,
)
from shared.http import ErrorTable, install_error_table

# error → (status, code)
_ANSWERS: ErrorTable = {
    BadCredentials: (401, "bad_credentials"),
    SlowedDown: (429, "slowed_down"),
    SessionEnded: (401, "session_ended"),
    Forbidden: (403, "forbidden"),
    UnknownPerson: (404, "not_found"),
    WeakPassword: (422, "weak_password"),
}


def _headers(exc: Exception) -> dict[str, str]:
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, SlowedDown):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return headers


def install(app: FastAPI) -> None:
    install_error_table(app, _ANSWERS, headers=_headers)
