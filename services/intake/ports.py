"""The ports intake's handler works through: the clock and the publisher of accepted reports.

``publisher.ReportPublisher`` is the real publisher (Kafka); unit tests stand in an in-memory one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from shared.events import KafkaRecord

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class BrokerUnavailable(Exception):
    """The broker did not acknowledge in time: the report may or may not be stored."""


class Publisher(Protocol):
    async def publish(self, record: KafkaRecord) -> None:
        """Return only once every in-sync replica has the record; else raise ``BrokerUnavailable``."""
