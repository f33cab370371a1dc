"""The one place intake's errors become HTTP errors (``{"error": {"code", "message", "details"}}``).

A refused report is a 422 naming its rule and the fields at fault; a broker that did not acknowledge is a
503 with ``Retry-After``: the report may or may not be stored, and a retry with the same ``report_id`` is
the same report. A missing or unknown API key is ``deps``' 401.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.intake.domain.submission import Rejection
from services.intake.ports import BrokerUnavailable
from shared.http import error_response


def install(app: FastAPI, *, retry_after_seconds: int) -> None:
    @app.exception_handler(Rejection)
    async def rejected(_: Request, rejection: Rejection) -> JSONResponse:
        details = [{"field": field, "problem": rejection.message} for field in rejection.fields]
        return error_response(422, rejection.code, rejection.message, details)

    @app.exception_handler(BrokerUnavailable)
    async def broker_unavailable(_: Request, exc: BrokerUnavailable) -> JSONResponse:
        return error_response(
            503,
            "broker_unavailable",
            "the report could not be stored right now; retry with the same report_id",
            headers={"Retry-After": str(retry_after_seconds)},
        )
