"""``python -m services.scoring``: the settings, logging and the server on ``bootstrap()``'s app."""

from __future__ import annotations

import uvicorn

from services.scoring.bootstrap import bootstrap
from services.scoring.settings import ScoringSettings
from shared.observability import configure_logging


def serve() -> None:
    settings = ScoringSettings()
    configure_logging("scoring", settings.log_level)
    app = bootstrap(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
