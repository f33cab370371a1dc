"""Who may see a case: its assignee and verifier, people serving a unit the case lies in, and the
city-wide officers; and who may act on a case in their role (``in_jurisdiction``), which the lifecycle's
guards combine with the rules of each step.

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
        return Actor(id=self.person_id, role=self.role, unit_id=self.unit_id, city_wide=self.city_wide)


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
    invited = case.consultation.invited_units if case.consultation else ()
    return (
        viewer.city_wide
        or viewer.person_id in (case.assignee_id, case.verifier_id)
        or viewer.unit_id in units_of(case)
        # a unit invited to a consultation sees the case it is asked about
        or viewer.unit_id in invited
    )


# The case field that is a role's jurisdiction: a chief acts in their grid, an officer in their community
# or street, operators and supervisors in their district, a department's handler on its cases.
JURISDICTION_OF_ROLE: dict[str, tuple[str, ...]] = {
    "grid_chief": ("grid_id",),
    "community_officer": ("community_id",),
    "street_officer": ("street_id",),
    "operator": ("district_id",),
    "supervisor": ("district_id",),
    "department_handler": ("department_id", "unit_id"),
}


def in_jurisdiction(actor: Actor, case: Case) -> bool:
    """May ``actor`` act on ``case`` in their role? A grid worker only on cases they hold; the others
    on cases in their unit; city-wide staff on every case."""
    if actor.city_wide or actor.id == case.assignee_id:
        return True
    fields = JURISDICTION_OF_ROLE.get(actor.role, ())
    return actor.unit_id is not None and any(getattr(case, name) == actor.unit_id for name in fields)


def jurisdiction_refusal(actor: Actor, case: Case) -> str | None:
    if in_jurisdiction(actor, case):
        return None
    if actor.role == "grid_worker":
        return f"a grid worker acts only on cases they hold; case {case.id} is held by {case.assignee_id}"
    return f"case {case.id} is outside the jurisdiction of {actor.role} {actor.id} ({actor.unit_id})"
