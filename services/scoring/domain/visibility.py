"""Which results a person may see: those of subjects in their jurisdiction, as the registry in force
today has it.

A unit (grid, community, street, district, department) is seen by whoever's jurisdiction it lies in; a
grid worker's result by whoever's jurisdiction their grid lies in, and by the worker; reporters (residents,
riders) belong to no unit, so only city-wide staff see theirs. City-wide staff see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.scoring.domain.attribution import Subject
from shared.auth import Jurisdiction, covers
from shared.city import City
from shared.events.assessments import SubjectType


@dataclass(frozen=True)
class Visibility:
    person_id: str
    jurisdiction: Jurisdiction
    # The registry in force today.
    city: City

    @property
    def everything(self) -> bool:
        return self.jurisdiction.level == "city"

    def sees_unit(self, unit_id: str) -> bool:
        return self.everything or covers(self.city, self.jurisdiction, unit_id)

    def sees(self, subject: Subject) -> bool:
        if self.everything:
            return True
        if subject.subject_type == "reporter":
            return False
        if subject.subject_type == "grid_worker":
            return subject.subject_id == self.person_id or self._sees_person(subject.subject_id)
        return self.sees_unit(subject.subject_id)

    def subject_ids(self, subject_type: SubjectType) -> list[str] | None:
        """The ids of the subjects of a kind this person may see; None: all of them."""
        if self.everything:
            return None
        candidates: Iterable[str]
        if subject_type == "grid_worker":
            candidates = [p.person_id for p in self.city.people if p.role == "grid_worker"] + [self.person_id]
        else:
            candidates = self._units(subject_type)
        return sorted({c for c in candidates if self.sees(Subject(subject_type, c))})

    def grid_ids(self) -> list[str] | None:
        """The grids in force this person may see; None: all of them."""
        return None if self.everything else sorted(g for g in self._units("grid") if self.sees_unit(g))

    def _sees_person(self, person_id: str) -> bool:
        try:
            person = self.city.person(person_id)
        except KeyError:
            return False
        return self.sees_unit(person.unit_id)

    def _units(self, subject_type: SubjectType) -> list[str]:
        units = {
            "grid": [g.grid_id for g in self.city.grids],
            "community": [c.community_id for c in self.city.communities],
            "street": [s.street_id for s in self.city.streets],
            "district": [d.district_id for d in self.city.districts],
            "department": [d.department_id for d in self.city.departments],
        }
        return units.get(subject_type, [])
