"""Signing in and out, and keeping a session going: the tokens travel in HttpOnly cookies.

``gridloop_access`` (the access token, minutes) goes to every API behind the gateway; ``gridloop_refresh``
(the refresh token, hours) only to these routes. Both SameSite=Strict, so no other site's page can make
the browser send them, and Secure outside development.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Cookie, Request, Response
from fastapi.responses import JSONResponse

from services.console import handlers
from services.console.api.deps import ClientAddress, ConsoleContext, Context
from services.console.domain import BadCredentials, SessionEnded, SlowedDown
from services.console.handlers import SignedIn
from services.console.schemas import Me, SignInBody
from shared.auth import ACCESS_COOKIE, Unauthenticated, token_from
from shared.http import error_response

REFRESH_COOKIE = "gridloop_refresh"
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(prefix="/v1/session", tags=["session"])
RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]


@router.post("", response_model=Me)
async def sign_in(body: SignInBody, request: Request, ctx: Context, address: ClientAddress) -> JSONResponse:
    """Sign in with the person id and password: 200 with who you are, and the session's cookies. 401
    ``bad_credentials`` whatever was wrong; 429 ``slowed_down`` with Retry-After after repeated failures."""
    try:
        signed_in = await handlers.sign_in(
            ctx.console,
            person_id=body.person_id,
            password=body.password,
            client_address=address,
            user_agent=request.headers.get("user-agent"),
        )
    except BadCredentials:
        ctx.metrics.sign_ins.labels("bad_credentials").inc()
        raise
    except SlowedDown:
        ctx.metrics.sign_ins.labels("slowed_down").inc()
        raise
    ctx.metrics.sign_ins.labels("signed_in").inc()
    return _session_response(ctx, signed_in)


@router.post("/refresh", response_model=Me)
async def refresh(ctx: Context, address: ClientAddress, token: RefreshCookie = None) -> JSONResponse:
    """New cookies for the session of the refresh cookie, which rotates: each refresh token works once.
    Presenting one already used revokes the session (401), unless another tab of the same browser used
    it a moment ago: then 200 without new cookies, the browser has them already."""
    try:
        if not token:
            raise SessionEnded("no session: sign in")
        signed_in = await handlers.refresh(ctx.console, refresh_token=token, client_address=address)
    except SessionEnded as ended:
        if ended.revoked_because is not None:
            ctx.metrics.sessions_revoked.labels(ended.revoked_because.value).inc()
        response = error_response(401, "session_ended", str(ended), headers=NO_STORE)
        _clear_cookies(ctx, response)
        return response
    if signed_in.access_token is not None:
        ctx.metrics.sessions_refreshed.inc()
    return _session_response(ctx, signed_in)


@router.delete("", status_code=204)
async def sign_out(
    request: Request, ctx: Context, address: ClientAddress, token: RefreshCookie = None
) -> Response:
    """Revoke the session and clear its cookies. 204 whether or not there was one."""
    session_id = await _session_of_access_token(request, ctx)
    if await handlers.sign_out(
        ctx.console, session_id=session_id, refresh_token=token, client_address=address
    ):
        ctx.metrics.sessions_revoked.labels("signed_out").inc()
    response = Response(status_code=204, headers=NO_STORE)
    _clear_cookies(ctx, response)
    return response


async def _session_of_access_token(request: Request, ctx: ConsoleContext) -> UUID | None:
    try:
        caller = await ctx.authenticator.authenticate(token_from(request))
    except Unauthenticated:
        return None
    if caller.issuer != ctx.settings.auth_issuer or caller.session_id is None:
        return None
    return UUID(caller.session_id)


def _session_response(ctx: ConsoleContext, signed_in: SignedIn) -> JSONResponse:
    city = ctx.console.registry(ctx.console.clock())
    response = JSONResponse(Me.of(signed_in.person, city).model_dump(mode="json"), headers=NO_STORE)
    if signed_in.access_token is not None:
        lifetime = int(ctx.console.sessions.access_lifetime.total_seconds())
        _set_cookie(
            ctx, response, ACCESS_COOKIE, signed_in.access_token, lifetime, ctx.settings.access_cookie_path
        )
    if signed_in.refresh_token is not None and signed_in.refresh_expires_at is not None:
        lifetime = _seconds_until(signed_in.refresh_expires_at, ctx.console.clock())
        _set_cookie(
            ctx, response, REFRESH_COOKIE, signed_in.refresh_token, lifetime, ctx.settings.refresh_cookie_path
        )
    return response


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, int((moment - now).total_seconds()))


def _set_cookie(
    ctx: ConsoleContext, response: Response, name: str, value: str, max_age: int, path: str
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
    )


def _clear_cookies(ctx: ConsoleContext, response: Response) -> None:
    for name, path in (
        (ACCESS_COOKIE, ctx.settings.access_cookie_path),
        (REFRESH_COOKIE, ctx.settings.refresh_cookie_path),
    ):
        response.delete_cookie(
            name, path=path, httponly=True, samesite="strict", secure=ctx.settings.secure_cookies
        )
