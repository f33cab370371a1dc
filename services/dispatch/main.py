"""``serve()``: one dispatch worker on ``bootstrap()``'s app, until SIGTERM/SIGINT."""

from __future__ import annotations

import faust

from services.dispatch.bootstrap import bootstrap
from services.dispatch.settings import DispatchSettings
from shared.observability import configure_logging


def serve() -> None:
    """Run one dispatch worker. Reads no command-line arguments; everything comes from the environment."""
    settings = DispatchSettings()
    configure_logging("dispatch", settings.log_level)
    worker = faust.Worker(
        bootstrap(settings),
        loglevel=settings.log_level,
        # Our JSON logging stays in charge; no banner or spinner on stdout.
        override_logging=False,
        redirect_stdouts=False,
        quiet=True,
    )
    worker.spinner = None  # it writes terminal escape codes to stdout, which is for JSON log lines only
    worker.execute_from_commandline()
