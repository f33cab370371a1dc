"""The submitted-report contract: a point, an address, or both — never neither; reports published before the
point became optional still decode; and the key keeps a place's reports in one partition."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events import UndecodableEvent, decode, encode
from shared.events.cases import CaseOpened
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.events.triage import ReportVoided
from shared.topics import REPORTS

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
CELL = "862a1072fffffff"


def fields(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "report_id": uuid.uuid4(),
        "app_id": "app-hotline",
        "source_type": "hotline_12345",
        "reporter_id": "caller-1",
        "category": "dispute.neighbour_noise",
        "description": "Loud music every night after eleven.",
        "location": GeoPoint(lon=120.16, lat=33.38),
        "occurred_at": NOW,
        "submitted_at": NOW,
        "cell": CELL,
    }
    return base | overrides


def test_a_report_with_only_an_address_is_valid_and_round_trips() -> None:
    report = ReportSubmitted(**fields(location=None, address="亭湖区毓龙西路18号"))

    back = decode(*_wire(report)).data

    assert back == report
    assert isinstance(back, ReportSubmitted)
    assert back.location is None


@pytest.mark.parametrize("address", [None, "", "   \t"])
def test_a_report_with_neither_a_location_nor_an_address_is_invalid(address: str | None) -> None:
    with pytest.raises(ValidationError, match="a report needs a location or an address"):
        ReportSubmitted(**fields(location=None, address=address))


def test_such_a_report_on_the_topic_cannot_be_decoded() -> None:
    valid = ReportSubmitted(**fields(location=None, address="毓龙社区"))
    headers, value = _wire(valid)
    body = json.loads(value)
    body["address"] = None

    with pytest.raises(UndecodableEvent):
        decode(headers, json.dumps(body).encode())


def test_a_report_published_before_the_point_became_optional_still_decodes() -> None:
    report = ReportSubmitted(**fields(address=None))
    headers, value = _wire(report)
    body = json.loads(value)
    # What the first version wrote: a point and a cell always, an address key that may be null.
    assert {"location", "cell"} <= body.keys()

    assert decode(headers, value).data == report


def test_a_report_is_keyed_by_its_cell_else_by_its_own_id() -> None:
    placed = ReportSubmitted(**fields(location=None, address="毓龙社区", cell=CELL))
    unplaced = ReportSubmitted(**fields(location=None, address="somewhere", cell=None))

    assert encode(placed, source="/gridloop/intake").key == CELL.encode()
    assert encode(unplaced, source="/gridloop/intake").key == str(unplaced.report_id).encode()


def test_downstream_events_carry_a_missing_point_as_null() -> None:
    assert CaseOpened.model_fields["location"].is_required()  # dispatch always says, null or a point
    assert ReportVoided.model_fields["location"].is_required()
    for model in (CaseOpened, ReportVoided):
        schema = model.model_json_schema()["properties"]["location"]
        assert {"type": "null"} in schema["anyOf"]


def _wire(report: ReportSubmitted) -> tuple[list[tuple[str, bytes]], bytes]:
    record = encode(report, source="/gridloop/intake")
    assert record.topic == REPORTS.name
    return list(record.headers), record.value
