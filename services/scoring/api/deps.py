"""What scoring's routes are given, as ``Annotated`` aliases: declare the alias, get the thing.

Every route is a read over the results: it takes the ``Context`` the lifespan built (pool, queries, the
rules in force, the city's names) and, as ``Seen``, what the person asking may see: the subjects in their
jurisdiction. Every route needs a person: ``require_caller`` guards the whole router.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.scoring.domain import Rubric
from services.scoring.domain.vanguard import VanguardRules
from services.scoring.domain.visibility import Visibility
from services.scoring.ports import Clock
from services.scoring.queries import Queries
from shared.auth import Authenticator, Caller, DocumentedBearer
from shared.city import City


@dataclass(frozen=True)
class ApiContext:
    pool: asyncpg.Pool
    queries: Queries
    rubric: Rubric
    names: Mapping[str, str]
    max_page_size: int
    vanguard: VanguardRules
    # Who asks (their token) and the registry that says what they may see.
    authenticator: Authenticator
    city: City
    clock: Clock
    # The registry's grid workers: listed for volunteer hours even with none served.
    grid_workers: tuple[str, ...] = ()
    # The city's timezone (IANA name): periods of the trend API follow its wall clock.
    timezone: str = "Asia/Shanghai"


# A coroutine: FastAPI runs a plain function dependency in a thread pool, a thread hop per request.
async def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.scoring
    return context


Context = Annotated[ApiContext, Depends(_context)]


async def require_caller(request: Request, ctx: Context, _: DocumentedBearer = None) -> Caller:
    """The person the request acts for (their token verified, their jurisdiction from the registry in
    force today); 401 otherwise."""
    return await ctx.authenticator.caller(request)


CurrentCaller = Annotated[Caller, Depends(require_caller)]


async def _visibility(caller: CurrentCaller, ctx: Context) -> Visibility:
    today = ctx.city.as_of(ctx.city.local_time(ctx.clock()).date())
    return Visibility(person_id=caller.person_id, jurisdiction=caller.jurisdiction, city=today)


Seen = Annotated[Visibility, Depends(_visibility)]
