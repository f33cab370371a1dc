"""The catalogue of categories a grid app may report in."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.api.deps import IntakeDep
from services.intake.schemas import Categories, Category

router = APIRouter(prefix="/v1")


@router.get("/categories", response_model=Categories)
async def list_categories(intake: IntakeDep) -> Categories:
    """The city's catalogue, so apps can offer only categories intake will take."""
    return Categories(
        categories=[
            Category(code=c.code, name=c.name, name_zh=c.name_zh, nature=c.nature, priority=c.priority)
            for c in intake.city.categories
            if c.active
        ]
    )
