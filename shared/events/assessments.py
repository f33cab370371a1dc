"""Assessment results published by scoring."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.base import Event

SubjectType = Literal["grid_worker", "grid"]


class ClosureCounters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    due_to_close: int = Field(ge=0)
    closed: int = Field(ge=0)
    closed_on_time: int = Field(ge=0)


class AssessmentUpdated(Event):
    event_type: ClassVar[str] = "gridloop.assessment.updated.v1"

    subject_type: SubjectType
    subject_id: str
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    counters: ClosureCounters
    # Percentages as bulletins print them ("87.50"); None when there is nothing to divide by.
    closure_rate: str | None
    on_time_closure_rate: str | None
    rubric_version: str
    final: bool = False
    computed_at: AwareDatetime

    def partition_key(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"
