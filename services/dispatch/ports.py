"""The ports the agents publish through: Kafka out and the triage state's changelog.

``publisher.KafkaPublisher`` and ``state.TableChangelog`` are the real adapters; unit tests stand in
recording fakes, so the agents run in faust's test context without a broker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from services.dispatch.domain.changes import Change
from shared.events import KafkaRecord


class Publisher(Protocol):
    async def publish(self, records: Sequence[KafkaRecord]) -> None:
        """Return once the broker has acknowledged every record; keep trying until it has."""


class PartitionWriter(Protocol):
    async def publish_to_partitions(
        self, topic: str, items: Sequence[tuple[int, bytes, bytes | None]]
    ) -> None:
        """Send the records to the given partitions of ``topic``; return once all are acknowledged."""


class Changelog(Protocol):
    def write(self, partition: int, changes: Sequence[Change]) -> None:
        """Queue the changes for the partition's changelog, in order."""

    async def flush(self) -> None:
        """Return once everything written so far is acknowledged by the broker."""
