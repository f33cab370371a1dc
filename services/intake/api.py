"""HTTP routes: thin. Decode, call one handler, encode; domain errors become JSON errors here."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, status

from services.intake.domain.submission import Rejection, SubmitReport
from services.intake.handlers import Intake, submit_report
from services.intake.publisher import BrokerUnavailable
from shared.city.records import App
from shared.http import ApiError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1")


async def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


# Dependencies are coroutines: FastAPI runs plain functions in a thread pool, a thread hop per request.
IntakeDep = Annotated[Intake, Depends(get_intake)]


async def authenticated_app(
    intake: IntakeDep, x_api_key: Annotated[str | None, Header(description="The grid app's API key")] = None
) -> App:
    if not x_api_key:
        raise ApiError(401, "missing_api_key", "send the grid app's API key in the X-Api-Key header")
    app = intake.city.app_for_key(x_api_key)
    if app is None:
        raise ApiError(401, "invalid_api_key", "the API key is not one of this city's grid apps")
    return app


AppDep = Annotated[App, Depends(authenticated_app)]


@router.post("/reports", status_code=status.HTTP_202_ACCEPTED)
async def post_report(submission: SubmitReport, app: AppDep, intake: IntakeDep) -> dict[str, Any]:
    """Accept a report. 202 means it is durably stored in Kafka; retry with the same report_id
    after a 503 or a lost answer: it is the same report."""
    try:
        report = await submit_report(intake, submission, app)
    except Rejection as rejection:
        intake.metrics.rejected.labels(rejection.code).inc()
        raise ApiError(
            422,
            rejection.code,
            rejection.message,
            details=[{"field": field, "problem": rejection.message} for field in rejection.fields],
        ) from None
    except BrokerUnavailable as exc:
        intake.metrics.rejected.labels("broker_unavailable").inc()
        log.warning(
            "broker unavailable; report not accepted",
            extra={"report_id": str(submission.report_id), "error": str(exc)},
        )
        raise ApiError(
            503,
            "broker_unavailable",
            "the report could not be stored right now; retry with the same report_id",
            headers={"Retry-After": str(intake.limits.retry_after_seconds)},
        ) from None
    log.info("report accepted", extra={"report_id": str(report.report_id), "app_id": app.app_id})
    return {"report_id": str(report.report_id), "status": "accepted", "cell": report.cell}


@router.get("/categories")
async def list_categories(intake: IntakeDep) -> dict[str, Any]:
    """The city's catalogue, so apps can offer only categories intake will take."""
    return {
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "name_zh": c.name_zh,
                "nature": c.nature,
                "priority": c.priority,
            }
            for c in intake.city.categories
            if c.active
        ]
    }
