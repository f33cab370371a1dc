"""A supervisor sets the password of a person in their jurisdiction."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.console import handlers
from services.console.api.deps import ClientAddress, Context, CurrentCaller
from services.console.schemas import PasswordBody

router = APIRouter(prefix="/v1/people", tags=["people"])


@router.put("/{person_id}/password", status_code=204)
async def set_password(
    person_id: str, body: PasswordBody, caller: CurrentCaller, ctx: Context, address: ClientAddress
) -> Response:
    """Set (reset) a person's password and end their sessions: 204. 403 ``forbidden`` unless you are a
    supervisor whose jurisdiction the person serves in; 404 for nobody in today's registry; 422
    ``weak_password`` with the rule it breaks."""
    ended = await handlers.set_password(
        ctx.console, by=caller, person_id=person_id, password=body.password, client_address=address
    )
    ctx.metrics.passwords_set.inc()
    ctx.metrics.sessions_revoked.labels("password_set").inc(ended)
    return Response(status_code=204)
