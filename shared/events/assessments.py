"""Assessment results published by scoring.

One result is one subject's figures for one period: the counters (DOMAIN.md's table), every indicator of
the rubric with the counters it divides, the composite score and the grade. The rubric version says which
rules produced it, so anyone can recompute it by hand from the counters in the same message.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.base import Event

# A reporter's subject id is "<source type>:<reporter id>" (e.g. "delivery_rider:rider-7"): reporter ids
# are the apps' own, unique only within a kind of reporter.
SubjectType = Literal["grid_worker", "grid", "community", "street", "district", "department", "reporter"]
PeriodKind = Literal["month", "quarter", "year"]

# Counter name → bulletin name. Order is the order bulletins print them in.
COUNTER_NAMES_ZH: dict[str, str] = {
    "due_to_handle": "应处置数",
    "handled": "处置数",
    "handled_on_time": "按期处置数",
    "handled_late": "超期处置数",
    "overdue_not_handled": "超期未处置数",
    "due_to_close": "应结案数",
    "closed": "结案数",
    "closed_on_time": "按期结案数",
    "reworks": "返工数",
    "extensions": "延期数",
    "deferrals": "缓办数",
    "returns": "退单数",
    "callbacks": "回访数",
    "satisfied_callbacks": "满意数",
    "reports": "上报数",
    "valid_reports": "有效上报数",
    "service_minutes": "志愿服务时长(分钟)",
}


class AssessmentCounters(BaseModel):
    """Every counter of one subject in one period. Extensions, deferrals and returns are the approved ones
    (handling's ``CaseRequestDecided``), callbacks handling's ``CaseCallbackRecorded``. Counters added
    later default to 0, so results published before them still decode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_to_handle: int = Field(default=0, ge=0)
    handled: int = Field(default=0, ge=0)
    handled_on_time: int = Field(default=0, ge=0)
    handled_late: int = Field(default=0, ge=0)
    overdue_not_handled: int = Field(default=0, ge=0)
    due_to_close: int = Field(default=0, ge=0)
    closed: int = Field(default=0, ge=0)
    closed_on_time: int = Field(default=0, ge=0)
    reworks: int = Field(default=0, ge=0)
    extensions: int = Field(default=0, ge=0)
    deferrals: int = Field(default=0, ge=0)
    returns: int = Field(default=0, ge=0)
    callbacks: int = Field(default=0, ge=0)
    satisfied_callbacks: int = Field(default=0, ge=0)
    # Reports a reporter (or a patrolling grid worker) made, and those that became a case or joined one as
    # a duplicate (a voided report is made but not valid).
    reports: int = Field(default=0, ge=0)
    valid_reports: int = Field(default=0, ge=0)
    # Volunteer service delivered: minutes credited for the service tasks a person handled and saw closed.
    service_minutes: int = Field(default=0, ge=0)


class Ratio(BaseModel):
    """One side of an indicator's division: the counters it adds (and subtracts) and their value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    formula: str
    value: int


class IndicatorValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    name_zh: str
    variant: str
    # A percentage as bulletins print it ("87.50"); None (not applicable) when the denominator is 0.
    value: str | None
    numerator: Ratio
    denominator: Ratio


class AssessmentUpdated(Event):
    event_type: ClassVar[str] = "gridloop.assessment.updated.v1"

    subject_type: SubjectType
    subject_id: str
    period: str = Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")
    period_kind: PeriodKind = "month"
    counters: AssessmentCounters
    # The two foundation rates, kept at the top level for consumers that read only them.
    closure_rate: str | None
    on_time_closure_rate: str | None
    indicators: tuple[IndicatorValue, ...] = ()
    # The weighted sum of the applicable indicators ("86.25"); None when no indicator applies.
    score: str | None = None
    grade: str | None = None
    rubric_version: str
    final: bool = False
    computed_at: AwareDatetime

    def partition_key(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"
