"""The triage state of every partition this worker holds, kept in step with a faust changelog topic.

The state is a ``PartitionTriage`` per partition of the reports topic. Its changes go to a faust table's
changelog (``<group_id>-open-cases-changelog``, compacted, one partition per reports partition, created by
faust itself), written explicitly to the partition of the report or closure that caused them. The table
keeps nothing of its own: replaying the changelog at recovery (after a start or a rebalance) feeds
``PartitionTriage.restore`` instead of a dict, so the state is in memory once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import faust
from faust.types import TP, EventT

from services.dispatch.domain.changes import Change
from services.dispatch.domain.rules import TriageRules
from services.dispatch.domain.triage import PartitionTriage
from services.dispatch.ports import PartitionWriter

TABLE_NAME = "open-cases"


class TriageStates:
    def __init__(self, rules: TriageRules) -> None:
        self._rules = rules
        self._states: dict[int, PartitionTriage] = {}

    def __getitem__(self, partition: int) -> PartitionTriage:
        state = self._states.get(partition)
        if state is None:
            state = self._states[partition] = PartitionTriage(self._rules)
        return state

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget partitions another worker now holds; their changelog rebuilds them if they return."""
        for partition in partitions:
            self._states.pop(partition, None)

    @property
    def open_cases(self) -> int:
        return sum(len(state.index) for state in self._states.values())

    @property
    def partitions(self) -> tuple[int, ...]:
        return tuple(sorted(self._states))


class TriageTable(faust.Table[bytes, bytes]):
    """A faust table whose changelog is replayed into ``TriageStates`` rather than a dict of its own."""

    def __init__(self, app: faust.App, *, states: TriageStates, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.states = states

    def apply_changelog_batch(self, batch: Iterable[EventT[Any]]) -> None:
        by_partition: dict[int, list[Change]] = {}
        for event in batch:
            message = event.message
            by_partition.setdefault(message.partition, []).append(
                Change(bytes(message.key or b""), message.value)
            )
        for partition, changes in by_partition.items():
            self.states[partition].restore(changes)

    async def on_rebalance(
        self, assigned: set[TP], revoked: set[TP], newly_assigned: set[TP], generation_id: int = 0
    ) -> None:
        await super().on_rebalance(assigned, revoked, newly_assigned, generation_id)
        still_held = {tp.partition for tp in assigned}
        self.states.drop({tp.partition for tp in revoked} - still_held)


class TableChangelog:
    """Writes changes to the triage table's changelog topic with the service's own idempotent producer
    (acks=all), not faust's table producer (which sends changelogs without waiting for acknowledgements):
    ``flush`` returning means the broker has them, which is what publishing an outcome relies on."""

    def __init__(self, table: TriageTable, writer: PartitionWriter) -> None:
        self._table = table
        self._writer = writer
        self._pending: list[tuple[int, bytes, bytes | None]] = []

    def write(self, partition: int, changes: Sequence[Change]) -> None:
        self._pending += [(partition, change.key, change.value) for change in changes]

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            await self._writer.publish_to_partitions(self._table.changelog_topic.get_topic_name(), pending)


def triage_table(app: faust.App, states: TriageStates, *, partitions: int) -> TriageTable:
    table = TriageTable(
        app,
        states=states,
        name=TABLE_NAME,
        default=None,
        beacon=app.tables.beacon,
        partitions=partitions,
        # bytes both ways: faust's "raw" serializer (our own JSON values, decoded by the state).
        key_type=bytes,
        value_type=bytes,
        help="Open cases and recent report outcomes per reports partition (duplicate merge, dedupe).",
    )
    app.tables.add(table)
    return table
