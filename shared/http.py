"""HTTP conventions shared by the FastAPI services: JSON errors.

Request size limits come from FastAPI itself (``FastAPI(max_body_size=...)``, which also counts chunked
bodies); their 413 is rendered here like every other error.

Every error body is ``{"error": {"code": "...", "message": "...", "details": [...]}}``: a stable code
for machines, a sentence for people, and for validation errors the fields that are wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "field": ".".join(str(part) for part in err["loc"] if part != "body"),
                "problem": err["msg"],
            }
            for err in exc.errors()
        ]
        fields = ", ".join(d["field"] or "body" for d in details)
        return error_response(422, "invalid_request", f"request is invalid: {fields}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error"
        )
        return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


# A service's table of its domain errors: error class → (status, code). A code may name the field the
# error came in (``"invalid_{field}"``, filled from the error's ``field`` attribute).
ErrorTable = Mapping[type[Exception], tuple[int, str]]


def install_error_table(
    app: FastAPI, table: ErrorTable, *, headers: Callable[[Exception], dict[str, str]] | None = None
) -> None:
    """Answer each error of ``table`` with its status and code and the error's own sentence; the first
    entry the error is an instance of wins. ``headers`` adds response headers per error."""

    async def answer(_: Request, exc: Exception) -> JSONResponse:
        status, code = next(answer for kind, answer in table.items() if isinstance(exc, kind))
        code = code.format(field=getattr(exc, "field", ""))
        return error_response(status, code, str(exc), headers=headers(exc) if headers else None)

    for kind in table:
        app.add_exception_handler(kind, answer)
