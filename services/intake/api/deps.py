"""What intake's routes are given, as ``Annotated`` aliases: declare the alias, get the thing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from services.intake.handlers import Intake
from shared.city.records import App
from shared.http import ApiError


# Dependencies are coroutines: FastAPI runs plain functions in a thread pool, a thread hop per request.
async def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


IntakeDep = Annotated[Intake, Depends(_intake)]


async def _authenticated_app(
    intake: IntakeDep, x_api_key: Annotated[str | None, Header(description="The grid app's API key")] = None
) -> App:
    """The grid app whose API key the request carries; 401 without one of this city's keys."""
    if not x_api_key:
        raise ApiError(401, "missing_api_key", "send the grid app's API key in the X-Api-Key header")
    app = intake.city.app_for_key(x_api_key)
    if app is None:
        raise ApiError(401, "invalid_api_key", "the API key is not one of this city's grid apps")
    return app


AppDep = Annotated[App, Depends(_authenticated_app)]
