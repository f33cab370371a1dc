"""``python -m services.console``: the settings, logging and the server on ``bootstrap()``'s app."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from services.console.bootstrap import bootstrap
from services.console.settings import ConsoleSettings
from shared.observability import configure_logging


def server_config(settings: ConsoleSettings, app: FastAPI) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # The gateway says who the client is (X-Forwarded-For); the sign-in slow-down counts per address.
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def serve() -> None:
    settings = ConsoleSettings()
    configure_logging("console", settings.log_level)
    uvicorn.Server(server_config(settings, bootstrap(settings))).run()
