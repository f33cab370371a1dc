"""The one place scoring's errors become HTTP errors (``{"error": {"code", "message"}}``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.scoring.domain import InvalidPeriod, InvalidSubjectType
from shared.http import install_error_table


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


def install(app: FastAPI) -> None:
    install_error_table(app, _ANSWERS)
