"""Scoring's HTTP API, read-only: results, rankings and bulletins, periods and the rubric, reporter
credit, trends. ``router`` gathers every concept's routes; ``errors.install`` maps scoring's errors."""

from fastapi import APIRouter

from services.scoring.api import analysis, assessments, credit, periods, rankings

router = APIRouter()
for concept in (assessments, rankings, periods, credit, analysis):
    router.include_router(concept.router)

__all__ = ["router"]
