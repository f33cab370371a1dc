"""The console's HTTP API: sessions, who am I, passwords, the city's map data. ``router`` gathers every
concept's routes; ``errors.install`` maps the console's errors."""

from fastapi import APIRouter

from services.console.api import city, me, people, session

router = APIRouter()
for concept in (session, me, people, city):
    router.include_router(concept.router)

__all__ = ["router"]
