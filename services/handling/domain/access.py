"""Who may see a case: its assignee and verifier, people serving a unit the case lies in, and the
city-wide officers. Acting on a case is the lifecycle's guards' business; this is only about seeing it.

The repository applies the same rule in SQL when it lists cases; keep the two in step.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.handling.domain.model import Actor, Case


class Viewer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    role: str
    unit_id: str
    # Serving the city itself (not one of its districts): sees every case.
    city_wide: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(id=self.person_id, role=self.role)


def units_of(case: Case) -> tuple[str, ...]:
    """Every unit a case lies in or is held by."""
    units = (
        case.grid_id,
        case.community_id,
        case.street_id,
        case.district_id,
        case.department_id,
        case.unit_id,
    )
    return tuple(unit for unit in units if unit is not None)


def can_see(viewer: Viewer, case: Case) -> bool:
    return (
        viewer.city_wide
        or viewer.person_id in (case.assignee_id, case.verifier_id)
        or viewer.unit_id in units_of(case)
    )
