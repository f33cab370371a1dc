"""Who is signed in."""

from __future__ import annotations

from fastapi import APIRouter

from services.console.api.deps import Context, CurrentCaller
from services.console.schemas import Me

router = APIRouter(prefix="/v1", tags=["session"])


@router.get("/me", response_model=Me)
async def me(caller: CurrentCaller, ctx: Context) -> Me:
    """The person signed in, their role, unit and jurisdiction as the registry in force today has them;
    401 without a live session (or a bearer token)."""
    return Me.of_caller(caller, ctx.console.registry(ctx.console.clock()))
