"""CloudEvents binary mode on Kafka: what goes out comes back, and what is wrong is named."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.events import UndecodableEvent, decode, derived_id, encode
from shared.events.cases import CaseAccepted
from shared.topics import CASE_EVENTS

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def accepted() -> CaseAccepted:
    return CaseAccepted(
        case_id=uuid.uuid4(),
        occurred_at=NOW,
        actor_id="w-1",
        actor_role="grid_worker",
        holder_id="w-1",
        close_by=NOW,
    )


def test_an_event_goes_out_as_binary_mode_headers_and_json_value() -> None:
    event = accepted()
    record = encode(event, source="/gridloop/handling", event_id="e-1", time=NOW)
    headers = dict(record.headers)
    assert record.topic == CASE_EVENTS.name
    assert record.key == str(event.case_id).encode()
    assert headers["ce_id"] == b"e-1"
    assert headers["ce_type"] == b"gridloop.case.accepted.v1"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"
    assert record.value.startswith(b"{")


def test_what_goes_out_comes_back_equal() -> None:
    event = accepted()
    record = encode(event, source="/gridloop/handling", event_id="e-1", time=NOW)
    envelope = decode(record.headers, record.value)
    assert (envelope.id, envelope.source, envelope.time) == ("e-1", "/gridloop/handling", NOW)
    assert envelope.data == event


def test_an_unknown_type_is_undecodable() -> None:
    record = encode(accepted(), source="/x")
    headers = [(k, b"gridloop.nope.v1" if k == "ce_type" else v) for k, v in record.headers]
    with pytest.raises(UndecodableEvent, match="unknown event type"):
        decode(headers, record.value)


def test_invalid_data_is_undecodable_and_says_why() -> None:
    record = encode(accepted(), source="/x")
    with pytest.raises(UndecodableEvent, match="case_id"):
        decode(record.headers, b'{"occurred_at": "2026-11-27T09:30:00Z"}')


def test_bytes_that_are_not_a_cloudevent_are_undecodable() -> None:
    with pytest.raises(UndecodableEvent):
        decode([], b"\x00\x01 not json")


def test_a_value_that_is_not_json_is_undecodable_and_says_why() -> None:
    record = encode(accepted(), source="/x")
    for value in (b"", b"{not json", b"\xff\xfe", b"[1, 2]"):
        with pytest.raises(UndecodableEvent, match="data is invalid"):
            decode(record.headers, value)


def test_text_that_is_not_ascii_goes_out_as_utf8_json_and_comes_back() -> None:
    # The data is serialised by pydantic (UTF-8, compact), not json.dumps (\u escapes): a reader in any
    # language takes either, and a report's description in Chinese is a third the bytes this way.
    event = accepted().model_copy(update={"actor_id": "网格员-王"})
    record = encode(event, source="/x", event_id="e-1", time=NOW)
    assert "网格员-王".encode() in record.value
    assert json.loads(record.value)["actor_id"] == "网格员-王"
    assert decode(record.headers, record.value).data == event


def test_derived_ids_are_stable_and_distinct() -> None:
    assert derived_id("case", "r-1") == derived_id("case", "r-1")
    assert derived_id("case", "r-1") != derived_id("case", "r-2")
