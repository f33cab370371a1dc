"""The city's two-level catalogue of report categories: groups, and the categories in each.

A category says what kind of thing was reported (its nature), which tier handles it by default, which
department owns it, how urgent it is and the default time limits. Time limits are kept as the ISO-8601
text written in the file, because the unit matters to the time-limit rules: ``P2D`` is read as working
days on the work calendar, while urgent limits such as ``PT30M`` run on the wall clock.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, TypeAdapter, model_validator

from shared.city.records import Id, Name, Record
from shared.events.cases import Nature, Priority, Tier

TIERS: tuple[Tier, ...] = ("grid", "community", "street", "district")

_ISO_DURATION = r"^P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$"
_TIMEDELTA = TypeAdapter(timedelta)


@lru_cache(maxsize=1024)
def iso_duration(text: str) -> timedelta:
    """The wall-clock length of an ISO-8601 duration such as ``PT48H`` or ``P3D`` (a day = 24 h).

    Memoised: the triage rules' windows are read per report, from a handful of texts."""
    return _TIMEDELTA.validate_python(text)


def _positive_iso_duration(text: str) -> str:
    try:
        length = iso_duration(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 duration such as PT48H or P3D") from None
    if length <= timedelta(0):
        raise ValueError(f"duration {text!r} must be longer than zero")
    return text


IsoDuration = Annotated[
    str,
    StringConstraints(pattern=_ISO_DURATION),
    AfterValidator(_positive_iso_duration),
]
CategoryCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")]


class Category(Record):
    code: CategoryCode
    name: Name
    name_zh: Name
    nature: Nature
    default_tier: Tier
    department_id: Id | None
    priority: Priority
    resolve_within: IsoDuration
    close_within: IsoDuration
    active: bool = True

    @property
    def group_id(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def is_urgent(self) -> bool:
        return self.priority == "urgent"

    @model_validator(mode="after")
    def _limits_and_owner_agree(self) -> Category:
        if self.default_tier == "district" and self.department_id is None:
            raise ValueError("is handled at district tier but names no owning department_id")
        if iso_duration(self.close_within) < iso_duration(self.resolve_within):
            raise ValueError(
                f"close_within {self.close_within} is shorter than resolve_within {self.resolve_within}"
            )
        return self


class CategoryGroup(Record):
    group_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    name: Name
    name_zh: Name
    categories: tuple[Category, ...] = Field(min_length=1)
