"""/metrics: the Prometheus exposition of the service's metrics."""

from __future__ import annotations

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST

from shared.observability import ServiceMetrics


def register_metrics(app: faust.App, metrics: ServiceMetrics) -> None:
    @app.page("/metrics")
    async def metrics_page(web: View, request: Request) -> Response:
        # aiohttp refuses a charset inside content_type, so the full header goes in as a header.
        return web.bytes(metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})
