"""``python -m services.intake``: the settings, logging and the server on ``bootstrap()``'s app."""

from __future__ import annotations

import uvicorn

from services.intake.bootstrap import bootstrap
from services.intake.settings import IntakeSettings
from shared.observability import configure_logging


def serve() -> None:
    settings = IntakeSettings()
    configure_logging("intake", settings.log_level)
    app = bootstrap(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
