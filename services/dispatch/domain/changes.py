"""A partition's triage state as records: what ``PartitionTriage`` persists, and reads back on replay.

Each change is a key and a compact JSON value, or None to delete the key:

- ``c:<case id>`` → ``[report id, category, lon, lat, opened at]``: an open case of the merge index;
- ``r:<report id>`` → ``[kind, …fields of the outcome, at, reporter id]``: a report's remembered outcome;
- ``h:<case id>`` → the person id: who holds an open case (the workload).

The service writes them to a compacted changelog topic; replaying them in order rebuilds the state.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.dispatch.domain.merging import OpenCase
from services.dispatch.domain.outcomes import Merged, Opened, Outcome, Voided

CASE, OUTCOME, HOLDER = "c", "r", "h"


@dataclass(frozen=True, slots=True)
class Change:
    key: bytes
    value: bytes | None


def case_key(case_id: UUID) -> bytes:
    return f"c:{case_id}".encode()


def holder_key(case_id: UUID) -> bytes:
    return f"h:{case_id}".encode()


def outcome_key(report_id: UUID) -> bytes:
    return f"r:{report_id}".encode()


def parse_key(key: bytes) -> tuple[str, UUID]:
    """The kind of item (``CASE``, ``OUTCOME`` or ``HOLDER``) and its id."""
    kind, _, raw_id = key.decode().partition(":")
    return kind, UUID(raw_id)


def case_value(case: OpenCase) -> bytes:
    return _json([str(case.report_id), case.category, case.lon, case.lat, case.opened_at])


def case_fields(value: bytes) -> tuple[UUID, str, float, float, float]:
    """Report id, category, lon, lat and opening time of a case's value."""
    report_id, category, lon, lat, opened_at = json.loads(value)
    # A handful of category codes shared by a million cases: one string each.
    return UUID(report_id), sys.intern(category), lon, lat, opened_at


def outcome_value(outcome: Outcome, at: float, reporter_id: str) -> bytes:
    return _json([*_outcome_fields(outcome), at, reporter_id])


def outcome_fields(value: bytes) -> tuple[Outcome, float, str]:
    """The outcome, the report's event time and its reporter, of an outcome's value."""
    *fields, at, reporter_id = json.loads(value)
    return _outcome_of(fields), at, reporter_id


def holder_value(person_id: str) -> bytes:
    return person_id.encode()


def holder_of(value: bytes) -> str:
    return value.decode()


# One encoder for every change: json.dumps with options other than the defaults builds one per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def _outcome_fields(outcome: Outcome) -> list[Any]:
    if isinstance(outcome, Opened):
        if outcome.assignee_id is None:
            return ["opened", str(outcome.case_id)]
        return ["opened", str(outcome.case_id), outcome.assignee_id]
    if isinstance(outcome, Merged):
        return ["merged", str(outcome.case_id), str(outcome.case_report_id), outcome.distance_m]
    return ["voided", outcome.reason, outcome.detail]


def _outcome_of(fields: list[Any]) -> Outcome:
    kind, *rest = fields
    # An opened outcome names nobody for an unlocated case (left to manual triage); a changelog may also
    # hold opened outcomes of the two-field form, which name nobody either.
    if kind == "opened":
        return Opened(UUID(rest[0]), sys.intern(rest[1]) if len(rest) > 1 else None)
    if kind == "merged":
        return Merged(UUID(rest[0]), UUID(rest[1]), float(rest[2]))
    return Voided(rest[0], rest[1])
