"""/healthz and /readyz: ``{"status": "ready"|"unavailable", "checks": {name: bool}}`` with 200 or 503."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import faust
from faust.web import Request, Response, View

ReadinessCheck = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT_SECONDS = 5.0


def register_health(app: faust.App, checks: Mapping[str, ReadinessCheck]) -> None:
    @app.page("/healthz")
    async def healthz(web: View, request: Request) -> Response:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: View, request: Request) -> Response:
        results = {name: await _safe(check) for name, check in checks.items()}
        ready = all(results.values())
        body: dict[str, Any] = {"status": "ready" if ready else "unavailable", "checks": results}
        return web.json(body, status=200 if ready else 503)


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception:
        return False
