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
from shared.http import error_response


def install_domain_errors(app: FastAPI) -> None:
    @app.exception_handler(CaseNotFound)
    async def not_found(_: Request, exc: CaseNotFound) -> JSONResponse:
        return error_response(404, "case_not_found", str(exc))

    @app.exception_handler(CaseHidden)
    async def hidden(_: Request, exc: CaseHidden) -> JSONResponse:
        return error_response(403, "forbidden", str(exc))

    @app.exception_handler(NotPermitted)
    async def not_permitted(_: Request, exc: NotPermitted) -> JSONResponse:
        return error_response(403, "forbidden", exc.reason)

    @app.exception_handler(RuleBroken)
    async def rule_broken(_: Request, exc: RuleBroken) -> JSONResponse:
        return error_response(409, "rule_broken", exc.reason)

    @app.exception_handler(IllegalTransition)
    async def illegal(_: Request, exc: IllegalTransition) -> JSONResponse:
        allowed = [step.value for step in allowed_steps(exc.state, for_people=True)]
        details = [{"state": exc.state.value, "action": exc.step.value, "allowed_actions": allowed}]
        return error_response(409, "illegal_transition", str(exc), details)

    @app.exception_handler(ConcurrentUpdate)
    async def concurrent(_: Request, exc: ConcurrentUpdate) -> JSONResponse:
        return error_response(409, "concurrent_update", f"{exc}; read the case again and retry")

    @app.exception_handler(NoHolder)
    async def no_holder(_: Request, exc: NoHolder) -> JSONResponse:
        return error_response(409, "no_holder", str(exc))

    @app.exception_handler(BadCursor)
    async def bad_cursor(_: Request, exc: BadCursor) -> JSONResponse:
        return error_response(422, "invalid_cursor", str(exc))

    @app.exception_handler(BadPosition)
    async def bad_position(_: Request, exc: BadPosition) -> JSONResponse:
        return error_response(422, "invalid_stream_position", str(exc))
