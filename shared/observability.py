"""Structured logs, Prometheus metrics and the health endpoints every service serves.

Metric names follow Prometheus conventions: ``gridloop_<service>_...``, base units, ``_total`` for
counters, ``_seconds`` histograms. Labels are bounded (route templates, never raw paths or ids).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ReadinessCheck = Callable[[], Awaitable[bool]]


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stdout. Pass ids with ``extra={"case_id": ...}``; they become fields."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka logs every reconnect attempt at ERROR while a broker is down; our own readiness
    # probes and 503s already say so, once.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL if level != "DEBUG" else logging.DEBUG)


class ServiceMetrics:
    """The metrics every service exports, on a registry of its own (tests make fresh ones)."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        prefix = f"gridloop_{service}"
        self.http_requests = Counter(
            f"{prefix}_http_requests_total",
            "HTTP requests handled, by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            f"{prefix}_http_request_duration_seconds",
            "Time to answer an HTTP request (until the response starts).",
            ["route", "method"],
            registry=self.registry,
        )
        self.events_consumed = Counter(
            f"{prefix}_events_consumed_total",
            "Kafka messages consumed, by topic and outcome (processed, duplicate, ignored, dead_lettered).",
            ["topic", "outcome"],
            registry=self.registry,
        )
        self.events_produced = Counter(
            f"{prefix}_events_produced_total",
            "Events acknowledged by the broker, by topic.",
            ["topic"],
            registry=self.registry,
        )
        self.processing_seconds = Histogram(
            f"{prefix}_event_processing_seconds",
            "Time to process one consumed event, including its database transaction.",
            ["topic"],
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            f"{prefix}_consumer_lag_messages",
            "Messages behind the end of the topic, summed over this instance's partitions.",
            ["topic"],
            registry=self.registry,
        )

    def counter(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
        return Counter(f"gridloop_{self.service}_{name}", doc, list(labels), registry=self.registry)

    def gauge(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(f"gridloop_{self.service}_{name}", doc, list(labels), registry=self.registry)

    def histogram(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Histogram:
        return Histogram(f"gridloop_{self.service}_{name}", doc, list(labels), registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def instrument(app: FastAPI, metrics: ServiceMetrics) -> None:
    """Count and time every request by its route template (``/v1/cases/{case_id}``)."""
    app.add_middleware(_HttpMetrics, metrics=metrics)


class _HttpMetrics:
    """Plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task and a stream per request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        answered: float | None = None
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = time.perf_counter()
            await send(message)

        try:
            await self._app(scope, receive, send_observed)
        finally:
            # The router records the matched route in the scope; unmatched paths share one label.
            template = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self._metrics.http_requests.labels(template, method, str(status)).inc()
            # Timed to the response's start: the same as to its end for a body sent at once, and for a
            # live stream (SSE, open for hours) the time it took to answer rather than how long it lasted.
            answered = answered or time.perf_counter()
            self._metrics.http_duration.labels(template, method).observe(answered - started)


def health_router(metrics: ServiceMetrics, checks: Mapping[str, ReadinessCheck]) -> APIRouter:
    """``/healthz`` (the process is alive), ``/readyz`` (its dependencies answer), ``/metrics``."""
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        results = {name: await _safe(check) for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": results},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await check()
    except Exception:
        return False
