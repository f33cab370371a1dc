"""The base of every event's data model."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """Immutable data of one CloudEvent. Subclasses are named in the past tense.

    ``event_type`` is the versioned CloudEvents ``type``; ``partition_key`` says which field keys the
    Kafka message, so a topic's ordering guarantee is stated next to the data it orders.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]

    def partition_key(self) -> str:
        raise NotImplementedError
