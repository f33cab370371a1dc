"""The ledger's port over a faust app: its consumer's positions, seeks and commits, and an admin client
for the group's committed offsets; and the wiring of the ledger into the worker's signals and timers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import faust
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import IllegalStateError
from faust.types import TP
from mode import Service

from services.dispatch.offsets.ledger import ConsumedOffsets


class FaustOffsets(Service):
    """``OffsetPort`` over a faust app's consumer, plus an admin client for the group's committed offsets
    (faust's consumer reads them only while seeking). A dependency of the app: closed when it stops."""

    def __init__(self, app: faust.App, *, bootstrap: str, group_id: str) -> None:
        self._app = app
        self._bootstrap = bootstrap
        self._group_id = group_id
        self._admin: AIOKafkaAdminClient | None = None
        super().__init__()

    async def on_stop(self) -> None:
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    async def committed(self, tps: Sequence[TP]) -> Mapping[TP, int | None]:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self._bootstrap, client_id=f"{self._group_id}-offsets"
            )
            await admin.start()
            self._admin = admin
        found = await self._admin.list_consumer_group_offsets(
            self._group_id, partitions=[TopicPartition(tp.topic, tp.partition) for tp in tps]
        )
        offsets: dict[TP, int | None] = {tp: None for tp in tps}
        for tp, meta in found.items():
            offsets[TP(tp.topic, tp.partition)] = meta.offset if meta.offset >= 0 else None
        return offsets

    async def earliest(self, tps: Sequence[TP]) -> Mapping[TP, int]:
        return await self._app.consumer.earliest_offsets(*tps)

    async def position(self, tp: TP) -> int | None:
        try:
            return await self._app.consumer.position(tp)
        except IllegalStateError:  # revoked by a rebalance since the assignment was read
            return None

    def highwater(self, tp: TP) -> int | None:
        try:
            return self._app.consumer.highwater(tp)
        except AssertionError:  # aiokafka asserts the partition is assigned
            return None

    async def seek(self, tp: TP, offset: int) -> bool:
        try:
            # seek_wait runs the seek on faust's consumer thread. consumer.seek would call aiokafka from
            # this thread while that one may be draining fetched records: a KeyError there crashed the
            # worker during a broker outage.
            await self._app.consumer.seek_wait({tp: offset})
        except IllegalStateError:  # revoked by a rebalance since the assignment was read
            return False
        return True

    async def commit(self, offsets: Mapping[TP, int]) -> bool:
        # faust's own commit() commits acknowledged offsets only; _commit is the driver's plain commit
        # (it returns False when the group rebalanced, and stops the worker on any other failure).
        return bool(await cast(Any, self._app.consumer)._commit(offsets))

    def assignment(self) -> set[TP]:
        return set(self._app.consumer.assignment())


def track_offsets(app: faust.App, offsets: ConsumedOffsets, *, interval: float) -> None:
    """Wire the ledger into the worker: it forgets revoked partitions and looks for stuck ones."""

    @app.on_partitions_revoked.connect
    async def forget_revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        (revoked,) = args  # the signal is sent as send(revoked)
        offsets.forget(revoked)

    @app.timer(interval)  # type: ignore[untyped-decorator]
    async def unstick() -> None:
        if not app.rebalancing:
            await offsets.unstick()
