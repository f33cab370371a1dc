"""Event contracts: one pydantic model per event type, and the CloudEvents envelope."""

from shared.events.base import Event
from shared.events.envelope import (
    Envelope,
    KafkaRecord,
    UndecodableEvent,
    decode,
    derived_id,
    encode,
)

__all__ = ["Envelope", "Event", "KafkaRecord", "UndecodableEvent", "decode", "derived_id", "encode"]
