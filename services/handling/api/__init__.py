"""Handling's HTTP side: routes that decode, call one handler or query, and encode.

``cases`` reads cases, ``steps`` takes steps on them, ``stream`` is the live stream; ``deps`` holds the
dependencies they share (the runtime, and the person a request acts for), ``errors`` the one mapping of
errors to statuses.
"""

from fastapi import APIRouter

from services.handling.api import cases, steps, stream
from services.handling.api.errors import install_domain_errors

router = APIRouter()
for concept in (cases, steps, stream):
    router.include_router(concept.router)

__all__ = ["install_domain_errors", "router"]
