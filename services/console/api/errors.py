"""The one place the console's domain errors become HTTP errors (``{"error": {"code", "message"}}``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.console.domain import (
    BadCredentials,
    ConsoleError,
    Forbidden,
    SessionEnded,
    SlowedDown,
    UnknownPerson,
    WeakPassword,
)
from shared.http import error_response

# error → (status, code)
_ANSWERS: dict[type[ConsoleError], tuple[int, str]] = {
    BadCredentials: (401, "bad_credentials"),
    SlowedDown: (429, "slowed_down"),
    SessionEnded: (401, "session_ended"),
    Forbidden: (403, "forbidden"),
    UnknownPerson: (404, "not_found"),
    WeakPassword: (422, "weak_password"),
}


async def _answer(_: Request, exc: Exception) -> JSONResponse:
    status, code = next(answer for kind, answer in _ANSWERS.items() if isinstance(exc, kind))
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, SlowedDown):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return error_response(status, code, str(exc), headers=headers)


def install(app: FastAPI) -> None:
    for kind in _ANSWERS:
        app.add_exception_handler(kind, _answer)
