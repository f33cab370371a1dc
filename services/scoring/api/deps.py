"""What scoring's routes are given, as ``Annotated`` aliases: declare the alias, get the thing.

Every route is a read over the results: it takes the ``Context`` the lifespan built (pool, queries, the
rules in force, the city's names). Who is asking joins here too, as an alias of its own, when the results
come to be shown per jurisdiction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.scoring.domain import Rubric
from services.scoring.domain.vanguard import VanguardRules
from services.scoring.queries import Queries


@dataclass(frozen=True)
class ApiContext:
    pool: asyncpg.Pool
    queries: Queries
    rubric: Rubric
    names: Mapping[str, str]
    max_page_size: int
    vanguard: VanguardRules
    # The registry's grid workers: listed for volunteer hours even with none served.
    grid_workers: tuple[str, ...] = ()
    # The city's timezone (IANA name): periods of the trend API follow its wall clock.
    timezone: str = "Asia/Shanghai"


# A coroutine: FastAPI runs a plain function dependency in a thread pool, a thread hop per request.
async def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.scoring
    return context


Context = Annotated[ApiContext, Depends(_context)]
