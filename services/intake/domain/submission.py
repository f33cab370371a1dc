"""What a grid app submits, and the rules that turn it into a `ReportSubmitted` event, or refuse it.

Pure: the city, the app and the clock are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl

from shared.city import City
from shared.city.coordinates import report_cell, to_wgs84
from shared.city.records import App
from shared.events.reports import CoordinateSystem, GeoPoint, ReportSubmitted, SourceType


class SubmittedLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: CoordinateSystem = Field(
        default="WGS84", description="WGS84 (GPS) or GCJ02 (Chinese consumer maps: AMap, Tencent)"
    )


class SubmitReport(BaseModel):
    """The body of ``POST /v1/reports``."""

    model_config = ConfigDict(extra="forbid")

    report_id: UUID = Field(description="Chosen by the app; a retry with the same id is the same report")
    source_type: SourceType
    reporter_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64, description="A category code from GET /v1/categories")
    description: str = Field(min_length=1, max_length=2000)
    location: SubmittedLocation
    address: str | None = Field(default=None, max_length=200)
    occurred_at: AwareDatetime
    media: list[HttpUrl] = Field(default_factory=list, max_length=9)
    urgent: bool = Field(
        default=False, description="Marked urgent by the reporter (the 12345 hotline's flag)"
    )


@dataclass(frozen=True)
class Rejection(Exception):
    """A report the city will not take, with the field at fault."""

    code: str
    field: str
    message: str


@dataclass(frozen=True)
class Limits:
    max_clock_skew: timedelta
    max_report_age: timedelta
    retry_after_seconds: int


def accept_report(
    submission: SubmitReport, *, app: App, city: City, limits: Limits, now: datetime
) -> ReportSubmitted:
    if not app.may_post_as(submission.source_type):
        raise Rejection(
            "source_type_not_allowed",
            "source_type",
            f"app {app.app_id!r} may post as {', '.join(app.source_types)}, not {submission.source_type!r}",
        )
    try:
        category = city.category(submission.category)
    except KeyError:
        category = None
    if category is None or not category.active:
        raise Rejection(
            "unknown_category", "category", f"{submission.category!r} is not an active category of this city"
        )
    if submission.occurred_at > now + limits.max_clock_skew:
        raise Rejection("occurred_in_future", "occurred_at", "occurred_at is in the future")
    if submission.occurred_at < now - limits.max_report_age:
        days = limits.max_report_age.days
        raise Rejection("report_too_old", "occurred_at", f"occurred_at is more than {days} days ago")
    lon, lat = to_wgs84(submission.location.lon, submission.location.lat, submission.location.crs)
    if not city.contains(lon, lat):
        raise Rejection(
            "outside_city",
            "location",
            f"({submission.location.lon}, {submission.location.lat}) {submission.location.crs} "
            f"is outside {city.name}",
        )
    return ReportSubmitted(
        report_id=submission.report_id,
        app_id=app.app_id,
        source_type=submission.source_type,
        reporter_id=submission.reporter_id,
        category=category.code,
        description=submission.description,
        location=GeoPoint(lon=lon, lat=lat),
        reported_crs=submission.location.crs,
        address=submission.address,
        occurred_at=submission.occurred_at,
        media=tuple(submission.media),
        submitted_at=now,
        urgent=submission.urgent,
        cell=report_cell(lon, lat),
    )
