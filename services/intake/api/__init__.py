"""Intake's HTTP API: reports in, the catalogue out. ``router`` gathers every concept's routes;
``errors.install`` maps intake's errors."""

from fastapi import APIRouter

from services.intake.api import categories, reports

router = APIRouter()
for concept in (reports, categories):
    router.include_router(concept.router)

__all__ = ["router"]
