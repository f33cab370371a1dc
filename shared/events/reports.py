"""Events of the collection stage (intake)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl

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
    event_type: ClassVar[str] = "gridloop.report.submitted.v1"

    report_id: UUID
    app_id: str
    source_type: SourceType
    reporter_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint
    reported_crs: CoordinateSystem = "WGS84"
    address: str | None = Field(default=None, max_length=200)
    occurred_at: AwareDatetime
    media: tuple[HttpUrl, ...] = Field(default=(), max_length=9)
    submitted_at: datetime
    # The reporter marked it urgent (the 12345 hotline's 紧急 flag); dispatch's priority rules decide
    # whether that raises the case's priority.
    urgent: bool = False
    # H3 cell of the location: keys the reports topic so that one place's reports stay in order
    # inside one partition (duplicate merge needs that).
    cell: str

    def partition_key(self) -> str:
        return self.cell
