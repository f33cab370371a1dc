"""The city as the console's map draws it: grids (GeoJSON), the org tree, the red map. Any person signed
in may read them; each answer carries an ETag, and an unchanged one is a 304."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.console.api.deps import Context, CurrentCaller
from services.console.city_views import Document

router = APIRouter(prefix="/v1/city", tags=["city"])


@router.get("/grids")
async def grids(request: Request, ctx: Context, _: CurrentCaller) -> Response:
    """The grids in force today: a GeoJSON FeatureCollection (WGS-84), each feature with the grid's names
    and its community, street and district."""
    return _send(request, ctx.views.grids(ctx.console.today()), "application/geo+json")


@router.get("/org")
async def org(request: Request, ctx: Context, _: CurrentCaller) -> Response:
    """Districts → streets → communities → grids in force today, and the departments; names zh and en."""
    return _send(request, ctx.views.org(ctx.console.today()), "application/json")


@router.get("/red-map")
async def red_map(request: Request, ctx: Context, _: CurrentCaller) -> Response:
    """The red map: party-mass service centres and warm-heart stations, where, when open, what each
    offers (offer and kind names in zh and en)."""
    return _send(request, ctx.views.red_map(), "application/json")


def _send(request: Request, document: Document, media_type: str) -> Response:
    # Revalidated every time (the registry changes at midnight), sent again only when it changed.
    headers = {"ETag": document.etag, "Cache-Control": "private, no-cache"}
    if document.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type=media_type, headers=headers)
