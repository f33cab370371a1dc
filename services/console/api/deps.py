"""What the console's routes are given, as ``Annotated`` aliases: declare the alias, get the thing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Request

from services.console.city_views import CityViews
from services.console.handlers import Console
from services.console.metrics import ConsoleMetrics
from services.console.queries import Queries
from services.console.settings import ConsoleSettings
from shared.auth import Authenticator, Caller, DocumentedBearer
from shared.http import ApiError


@dataclass(frozen=True)
class ConsoleContext:
    """Everything a request needs, made once by the composition root (``bootstrap.py``)."""

    console: Console
    authenticator: Authenticator
    settings: ConsoleSettings
    metrics: ConsoleMetrics
    pool: asyncpg.Pool
    queries: Queries
    views: CityViews


# A coroutine: FastAPI runs a plain function dependency in a thread pool, a thread hop per request.
async def _context(request: Request) -> ConsoleContext:
    context: ConsoleContext = request.app.state.console
    return context


Context = Annotated[ConsoleContext, Depends(_context)]


async def _caller(request: Request, ctx: Context, _: DocumentedBearer = None) -> Caller:
    """The person signed in. A console session's token is also refused once the session has ended (signed
    out, revoked): other services take it until it expires, in at most a few minutes."""
    caller = await ctx.authenticator.caller(request)
    if caller.session_id is not None and caller.issuer == ctx.settings.auth_issuer:
        async with ctx.pool.acquire() as conn:
            live = await ctx.queries.session_live(conn, UUID(caller.session_id), ctx.console.clock())
        if not live:
            raise ApiError(401, "unauthorized", "the session has ended: sign in again", headers=_CHALLENGE)
    return caller


_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}

CurrentCaller = Annotated[Caller, Depends(_caller)]


async def _client_address(request: Request) -> str | None:
    """The client's address: uvicorn has already taken it from X-Forwarded-For when the peer is a
    trusted proxy (``forwarded_allow_ips``), as the gateway is."""
    return request.client.host if request.client else None


ClientAddress = Annotated[str | None, Depends(_client_address)]
