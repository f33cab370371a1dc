"""The one place scoring's errors become HTTP errors (``{"error": {"code", "message"}}``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.scoring.domain import InvalidPeriod, InvalidSubjectType
from shared.http import error_response


class NoResult(LookupError):
    """No result of the subject in the period: none of its cases counts there."""


class PeriodOpen(Exception):
    """Final results were asked of a period that has not closed yet."""


class OutsideJurisdiction(PermissionError):
    """The subject or unit asked about is not in the jurisdiction of the person asking."""


# error → (status, code); an invalid subject type's code names the parameter it came in.
_ANSWERS: dict[type[Exception], tuple[int, str]] = {
    InvalidPeriod: (400, "invalid_period"),
    InvalidSubjectType: (400, "invalid_{field}"),
    NoResult: (404, "not_found"),
    PeriodOpen: (409, "period_open"),
    OutsideJurisdiction: (403, "forbidden"),
}


async def _answer(_: Request, exc: Exception) -> JSONResponse:
    status, code = next(answer for kind, answer in _ANSWERS.items() if isinstance(exc, kind))
    return error_response(status, code.format(field=getattr(exc, "field", "")), str(exc))


def install(app: FastAPI) -> None:
    for kind in _ANSWERS:
        app.add_exception_handler(kind, _answer)
