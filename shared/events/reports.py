"""Events of the collection stage (intake)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from shared.events.base import Event

SourceType = Literal[
    "resident",
    "grid_worker",
    "delivery_rider",
    "property_company",
    "hotline_12345",
    "sensor",
    "unit",
]
CoordinateSystem = Literal["WGS84", "GCJ02"]


class GeoPoint(BaseModel):
    """A WGS-84 point. Intake converts GCJ-02 input before anything downstream sees it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class ReportSubmitted(Event):
    """A report intake accepted, with a point, an address, or both.

    A caller on the 12345 hotline often gives only an address, which dispatch places in its community
    through the gazetteer (else the case waits for an operator's manual triage).

    ``location`` and ``cell`` became optional after the first events were published (additive: every
    earlier event still decodes); a consumer must run this version before intake emits a report without
    a point.
    """

    event_type: ClassVar[str] = "gridloop.report.submitted.v1"

    report_id: UUID
    app_id: str
    source_type: SourceType
    reporter_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint | None = None
    reported_crs: CoordinateSystem = "WGS84"
    address: str | None = Field(default=None, max_length=200)
    occurred_at: AwareDatetime
    media: tuple[HttpUrl, ...] = Field(default=(), max_length=9)
    submitted_at: datetime
    # The reporter marked it urgent (the 12345 hotline's 紧急 flag); dispatch's priority rules decide
    # whether that raises the case's priority.
    urgent: bool = False
    # H3 cell keying the reports topic, so that one place's reports stay in order inside one partition
    # (duplicate merge needs that): the cell of the point; for an address-only report, the cell of the
    # community the gazetteer found for the address (intake's choice, see ``placing.py`` there); None
    # when the address names no community the gazetteer knows.
    cell: str | None = None

    @model_validator(mode="after")
    def _placed_somewhere(self) -> ReportSubmitted:
        if self.location is None and not (self.address and self.address.strip()):
            raise ValueError("a report needs a location or an address")
        return self

    def partition_key(self) -> str:
        # A report placed nowhere merges with nothing and its case waits for an operator: no partition
        # is better than another, and its own id spreads such reports evenly.
        return self.cell if self.cell is not None else str(self.report_id)
