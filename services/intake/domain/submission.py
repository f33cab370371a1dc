"""What a grid app submits, and the rules that turn it into a `ReportSubmitted` event, or refuse it.

Pure: the city, the app and the clock are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl

from services.intake.domain.placing import CommunityCells, meaningful_address
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
    """The body of ``POST /v1/reports``: a location, an address, or both (`accept_report` checks)."""

    model_config = ConfigDict(extra="forbid")

    report_id: UUID = Field(description="Chosen by the app; a retry with the same id is the same report")
    source_type: SourceType
    reporter_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64, description="A category code from GET /v1/categories")
    description: str = Field(min_length=1, max_length=2000)
    location: SubmittedLocation | None = Field(
        default=None, description="Where it is; may be left out when an address is given"
    )
    address: str | None = Field(
        default=None,
        max_length=200,
        description="Where it is, in words (e.g. 亭湖区毓龙西路18号); required when there is no location",
    )
    occurred_at: AwareDatetime
    media: list[HttpUrl] = Field(default_factory=list, max_length=9)
    urgent: bool = Field(
        default=False, description="Marked urgent by the reporter (the 12345 hotline's flag)"
    )


# Not frozen: an exception's traceback and context are set on it as it travels up to the API.
@dataclass(eq=False)
class Rejection(Exception):
    """A report the city will not take, with the field at fault (and any others at fault with it)."""

    code: str
    field: str
    message: str
    also: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field, *self.also)


@dataclass(frozen=True)
class Limits:
    max_clock_skew: timedelta
    max_report_age: timedelta
    retry_after_seconds: int


def accept_report(
    submission: SubmitReport,
    *,
    app: App,
    city: City,
    limits: Limits,
    now: datetime,
    community_cells: CommunityCells | None = None,
) -> ReportSubmitted:
    """The event of an acceptable report; raises `Rejection` naming the field at fault.

    ``community_cells`` keys address-only reports (built from ``city`` when not given; pass one that
    lives as long as the city, so each community's cell is computed once).
    """
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
    address = meaningful_address(submission.address)
    if submission.location is not None:
        point = _point_in(city, submission.location)
        cell: str | None = report_cell(point.lon, point.lat)
    elif address is not None:
        # An address the gazetteer does not know is still taken: an operator places it by hand.
        point = None
        cell = (community_cells or CommunityCells(city)).cell_for_address(address)
    else:
        raise Rejection(
            "location_or_address_required",
            "location",
            "give a location, an address, or both (an address of only spaces or punctuation names no place)",
            also=("address",),
        )
    return ReportSubmitted(
        report_id=submission.report_id,
        app_id=app.app_id,
        source_type=submission.source_type,
        reporter_id=submission.reporter_id,
        category=category.code,
        description=submission.description,
        location=point,
        reported_crs="WGS84" if submission.location is None else submission.location.crs,
        address=address,
        occurred_at=submission.occurred_at,
        media=tuple(submission.media),
        submitted_at=now,
        urgent=submission.urgent,
        cell=cell,
    )


def _point_in(city: City, location: SubmittedLocation) -> GeoPoint:
    """The WGS-84 point of a submitted location; refused when it lies outside the city."""
    lon, lat = to_wgs84(location.lon, location.lat, location.crs)
    if not city.contains(lon, lat):
        raise Rejection(
            "outside_city",
            "location",
            f"({location.lon}, {location.lat}) {location.crs} is outside {city.name}",
        )
    return GeoPoint(lon=lon, lat=lat)
