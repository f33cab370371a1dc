"""An in-memory stand-in for intake's publisher port (``services/intake/ports.py``)."""

from __future__ import annotations

from services.intake.ports import BrokerUnavailable
from shared.events import KafkaRecord


class FakePublisher:
    """Keeps what it is given; ``down = True`` makes it answer as a broker that does not acknowledge."""

    def __init__(self) -> None:
        self.records: list[KafkaRecord] = []
        self.down = False

    async def publish(self, record: KafkaRecord) -> None:
        if self.down:
            raise BrokerUnavailable("no acknowledgement within the timeout")
        self.records.append(record)
