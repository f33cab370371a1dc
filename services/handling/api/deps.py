"""FastAPI dependencies: the service's runtime (built by ``bootstrap``) and the person a request acts for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.handling.domain import HandlingPolicy
from services.handling.domain.access import Viewer
from services.handling.metrics import HandlingMetrics
from services.handling.ports import Clock, Transactions
from services.handling.settings import HandlingSettings
from services.handling.stream import CaseStream
from shared.auth import Authenticator, Caller, DocumentedBearer
from shared.city import City


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
    authenticator: Authenticator

    @property
    def schema(self) -> str:
        return self.settings.db_schema


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def current_caller(request: Request, runtime: RuntimeDep, _: DocumentedBearer = None) -> Caller:
    """The person the request acts for: their token (bearer header or the console's cookie) verified,
    their role and unit from the registry in force today. 401 otherwise."""
    return await runtime.authenticator.caller(request)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def current_viewer(caller: CurrentCaller) -> Viewer:
    return Viewer(
        person_id=caller.person_id, role=caller.role, unit_id=caller.unit_id, city_wide=caller.city_wide
    )


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
