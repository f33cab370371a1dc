"""A grid app posts a report."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.intake.api.deps import AppDep, IntakeDep
from services.intake.domain.submission import SubmitReport
from services.intake.handlers import submit_report
from services.intake.schemas import Accepted

router = APIRouter(prefix="/v1")


@router.post("/reports", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
async def post_report(submission: SubmitReport, app: AppDep, intake: IntakeDep) -> Accepted:
    """Accept a report. 202 means it is durably stored in Kafka; retry with the same report_id
    after a 503 or a lost answer: it is the same report."""
    report = await submit_report(intake, submission, app)
    return Accepted(report_id=report.report_id, cell=report.cell)
