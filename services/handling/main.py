"""``python -m services.handling``: settings, logging, and the server on ``bootstrap()``'s app."""

from __future__ import annotations

import uvicorn

from services.handling.bootstrap import bootstrap
from services.handling.settings import HandlingSettings
from shared.observability import configure_logging


def serve() -> None:
    """JSON logs, uvicorn on the configured host and port."""
    settings = HandlingSettings()
    configure_logging("handling", settings.log_level)
    uvicorn.run(
        bootstrap(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Live streams never end by themselves: without a limit a SIGTERM would wait for every client.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
