"""HTTP pages on the faust worker's own web server: /healthz and /readyz (``health``), /metrics
(``metrics``). Same shapes as every other service's (``shared.observability.health_router``)."""

from __future__ import annotations

from collections.abc import Mapping

import faust

from services.dispatch.api.health import ReadinessCheck, register_health
from services.dispatch.api.metrics import register_metrics
from shared.observability import ServiceMetrics

__all__ = ["ReadinessCheck", "register_pages"]


def register_pages(app: faust.App, *, metrics: ServiceMetrics, checks: Mapping[str, ReadinessCheck]) -> None:
    register_health(app, checks)
    register_metrics(app, metrics)
