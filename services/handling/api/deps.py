"""FastAPI dependencies: the service's runtime (built by ``bootstrap``) and the person a request acts for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.handling.api.auth import InvalidToken, decode_token
from services.handling.domain import HandlingPolicy
from services.handling.domain.access import Viewer
from services.handling.metrics import HandlingMetrics
from services.handling.ports import Clock, Transactions
from services.handling.settings import HandlingSettings
from services.handling.stream import CaseStream
from shared.city import City
from shared.http import ApiError


@dataclass(frozen=True)
class Runtime:
    """Everything a request needs, created once by the composition root (``bootstrap.py``)."""

    settings: HandlingSettings
    # The reads behind the list go straight to the pool (``queries.py``); everything else through
    # ``transactions``.
    pool: asyncpg.Pool
    transactions: Transactions
    clock: Clock
    policy: HandlingPolicy
    city: City
    metrics: HandlingMetrics
    stream: CaseStream

    @property
    def schema(self) -> str:
        return self.settings.db_schema


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

_bearer = HTTPBearer(auto_error=False, description="A person's HS256 JWT (claims sub, role, unit_id, exp).")


async def current_viewer(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    if credentials is None:
        raise _unauthorized("send a bearer token: Authorization: Bearer <jwt>")
    try:
        principal = decode_token(credentials.credentials, runtime.settings.jwt_secret.get_secret_value())
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from exc
    return Viewer(
        person_id=principal.person_id,
        role=principal.role,
        unit_id=principal.unit_id,
        city_wide=principal.unit_id == runtime.city.city_id,
    )


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
