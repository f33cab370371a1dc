"""Bodies of the console's HTTP requests and responses."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Caller, Jurisdiction, Level, jurisdiction_of
from shared.city import City, Community, Department, District, Grid, Person, Street


class SignInBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=200)
    # Long enough for any password the rules allow; longer is refused before anything is hashed.
    password: str = Field(min_length=1, max_length=1024)


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


class JurisdictionOut(BaseModel):
    level: Level
    unit_id: str


class Me(BaseModel):
    """Who is signed in, as the registry in force today has them."""

    person_id: str
    name: str
    role: str
    unit_id: str
    unit_name: str
    unit_name_en: str
    jurisdiction: JurisdictionOut
    city_wide: bool

    @classmethod
    def of(cls, person: Person, city: City, jurisdiction: Jurisdiction | None = None) -> Me:
        jurisdiction = jurisdiction or jurisdiction_of(person, city)
        name_zh, name_en = unit_names(city, person.unit_id)
        return cls(
            person_id=person.person_id,
            name=person.name,
            role=person.role,
            unit_id=person.unit_id,
            unit_name=name_zh,
            unit_name_en=name_en,
            jurisdiction=JurisdictionOut(level=jurisdiction.level, unit_id=jurisdiction.unit_id),
            city_wide=jurisdiction.level == "city",
        )

    @classmethod
    def of_caller(cls, caller: Caller, city: City) -> Me:
        return cls.of(caller.person, city, caller.jurisdiction)


def unit_names(city: City, unit_id: str) -> tuple[str, str]:
    """A unit's Chinese and English names (the id itself for a unit the registry does not name)."""
    if unit_id == city.city_id:
        return city.name_zh, city.name
    kind = city.unit_kind(unit_id)
    lookups: dict[str, Callable[[str], District | Street | Community | Grid | Department]] = {
        "district": city.district,
        "street": city.street,
        "community": city.community,
        "grid": city.grid,
        "department": city.department,
    }
    if kind not in lookups:
        return unit_id, unit_id
    unit = lookups[kind](unit_id)
    return unit.name_zh, unit.name
