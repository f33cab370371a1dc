"""Scoring's HTTP API, read-only: results, rankings and bulletins, periods and the rubric, reporter
credit, trends, alerts, each for a signed-in person and only of the subjects in their jurisdiction.
``router`` gathers every concept's routes; ``errors.install`` maps scoring's errors."""

from fastapi import APIRouter, Depends

from services.scoring.api import analysis, assessments, credit, periods, rankings
from services.scoring.api.deps import require_caller

# Every route needs a person whose token checks out; what each shows is narrowed to their jurisdiction.
router = APIRouter(dependencies=[Depends(require_caller)])
for concept in (assessments, rankings, periods, credit, analysis):
    router.include_router(concept.router)

__all__ = ["router"]
