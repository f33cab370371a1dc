"""The one place handling's errors become HTTP errors: status, code and message for each kind.

Routes and handlers raise what went wrong in their own terms; nothing else answers with an error status
(besides FastAPI's request validation and ``deps.current_viewer``'s 401).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.handling.domain import IllegalTransition, NotPermitted, RuleBroken, allowed_steps
from services.handling.domain.routing import NoHolder
from services.handling.handlers import CaseHidden, CaseNotFound
from services.handling.ports import ConcurrentUpdate
from services.handling.schemas import BadCursor
from services.handling.stream import BadPosition
from shared.http import ErrorTable, error_response, install_error_table

# error → (status, code); the message is the error's own sentence.
_ANSWERS: ErrorTable = {
    CaseNotFound: (404, "case_not_found"),
    CaseHidden: (403, "forbidden"),
    NotPermitted: (403, "forbidden"),
    RuleBroken: (409, "rule_broken"),
    NoHolder: (409, "no_holder"),
    BadCursor: (422, "invalid_cursor"),
    BadPosition: (422, "invalid_stream_position"),
}


def install_domain_errors(app: FastAPI) -> None:
    install_error_table(app, _ANSWERS)

    @app.exception_handler(IllegalTransition)
    async def illegal(_: Request, exc: IllegalTransition) -> JSONResponse:
        allowed = [step.value for step in allowed_steps(exc.state, for_people=True)]
        details = [{"state": exc.state.value, "action": exc.step.value, "allowed_actions": allowed}]
        return error_response(409, "illegal_transition", str(exc), details)

    @app.exception_handler(ConcurrentUpdate)
    async def concurrent(_: Request, exc: ConcurrentUpdate) -> JSONResponse:
        return error_response(409, "concurrent_update", f"{exc}; read the case again and retry")
