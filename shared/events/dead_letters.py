"""A message a consumer could not use, kept whole with the reason."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime

from shared.events.base import Event


class DeadLetterRecorded(Event):
    event_type: ClassVar[str] = "gridloop.dead_letter.recorded.v1"

    consumer: str
    original_topic: str
    original_partition: int
    original_offset: int
    original_key_b64: str | None
    original_headers_b64: dict[str, str]
    original_value_b64: str | None
    error: str
    recorded_at: AwareDatetime

    def partition_key(self) -> str:
        return self.original_topic
