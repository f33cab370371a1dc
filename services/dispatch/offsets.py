"""Dispatch keeps its own record of what it has processed, and commits that; faust's is not trusted.

faust commits, per partition, the highest offset below which every message was acknowledged. After a
restart or a rebalance it can lose messages between its fetcher and the agent: fetched (the consumer's
position moves past them) but never handed to the agent, so never processed and never acknowledged. Seen
here after a SIGKILL and restart: 463 of 3,000 reports skipped, the position at the end of the partition,
the committed offset stuck at 67 (faust-streaming #606 and #318 describe the same hole). faust would go on
processing newer messages and never commit again, and a report would only be dispatched after yet
another restart.

So the topics dispatch consumes are declared with ``acks=False`` (faust neither tracks nor commits them)
and ``ConsumedOffsets`` does it instead, per partition:

- it knows the next offset due (the group's committed offset when it first meets the partition);
- ``admit`` passes only that offset and the ones after it, in order; anything older was processed already
  (a re-delivery; its effects are idempotent downstream anyway), and anything *past* a hole means faust
  skipped messages: the consumer is sought back to the offset due, and the messages past the hole are
  dropped now because they come again after it;
- ``processed`` moves the offsets due once a batch's effects are durable, and ``commit`` commits them;
- ``unstick`` handles a hole at the end of a partition, which no later message reveals: a partition whose
  consumer position is past the offset due, with no progress for a while, is sought back too.

Seeking back is always safe (at worst a re-fetch), so a false alarm costs nothing but time. A hole that is
real — offsets that do not exist, as transaction markers would leave — survives ``max_rewinds`` seeks and
is then stepped over, logged; dispatch's topics are written without transactions and never compacted, so
that is not expected.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

import faust
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import IllegalStateError
from faust.types import TP
from mode import Service

log = logging.getLogger(__name__)


class Positioned(Protocol):
    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...


M = TypeVar("M", bound=Positioned)


class OffsetPort(Protocol):
    """The consumer-group operations the ledger needs (``FaustOffsets`` over a faust app)."""

    async def committed(self, tps: Sequence[TP]) -> Mapping[TP, int | None]:
        """The group's committed offsets (None: nothing committed yet)."""

    async def earliest(self, tps: Sequence[TP]) -> Mapping[TP, int]:
        """The oldest offset still in each partition."""

    async def position(self, tp: TP) -> int | None:
        """Where the consumer fetches next."""

    async def seek(self, tp: TP, offset: int) -> bool:
        """Fetch from ``offset`` next; False if the partition is not (or no longer) assigned."""

    async def commit(self, offsets: Mapping[TP, int]) -> bool:
        """Commit; False when the group rebalanced meanwhile (the next owner starts from the last commit)."""

    def assignment(self) -> set[TP]:
        """The partitions this worker holds now."""


@dataclass
class _Partition:
    due: int  # the next offset to admit
    done: int  # below this, every message's effects are durable
    committed: int
    progressed_at: float
    sought_to: int | None = None  # the offset a seek back is waiting for
    rewinds: int = 0  # seeks back to the same offset without progress


@dataclass
class ConsumedOffsets:
    port: OffsetPort
    topics: frozenset[str]
    # A partition whose consumer is ahead of what was processed, with no progress for this long, is
    # sought back. Longer than a batch takes, so that a busy agent is not mistaken for a stuck one.
    stall_after_seconds: float = 5.0
    max_rewinds: int = 3
    clock: Callable[[], float] = time.monotonic
    on_rewind: Callable[[], None] = lambda: None  # each seek back (a metric)
    _partitions: dict[TP, _Partition] = field(default_factory=dict)

    async def admit(self, messages: Sequence[M]) -> list[M]:
        """The messages to process, in order: exactly the ones due, none seen before, none past a hole."""
        admitted: list[M] = []
        sought: set[TP] = set()
        held = self.port.assignment()
        for message in messages:
            tp = TP(message.topic, message.partition)
            # A partition given away meanwhile is its next holder's, from the committed offset.
            if tp.topic not in self.topics or tp in sought or tp not in held:
                continue
            state = await self._state(tp)
            if message.offset > state.due:
                await self._catch_up(tp, state)
            if message.offset < state.due:
                continue  # processed already
            if message.offset > state.due and not await self._hole(tp, state, message.offset):
                sought.add(tp)  # everything after the hole comes again
                continue
            admitted.append(message)
            state.due = message.offset + 1
            state.sought_to = None
        return admitted

    def processed(self, messages: Iterable[Positioned]) -> None:
        """The admitted messages' effects are durable: they may be committed."""
        now = self.clock()
        for message in messages:
            state = self._partitions.get(TP(message.topic, message.partition))
            if state is not None:
                state.done = max(state.done, message.offset + 1)
                state.progressed_at = now
                state.rewinds = 0

    @contextlib.asynccontextmanager
    async def processing(self, messages: Sequence[Positioned]) -> AsyncIterator[None]:
        """Around a batch's processing: on success the batch is done and committed, on failure due again."""
        try:
            yield
        except Exception:
            await self.abandon(messages)
            raise
        self.processed(messages)
        await self.commit()

    async def abandon(self, messages: Iterable[Positioned]) -> None:
        """Processing the admitted messages failed: they are due again, from the first not done."""
        for tp in sorted({TP(m.topic, m.partition) for m in messages}):
            state = self._partitions.get(tp)
            if state is not None and state.due > state.done:
                state.due = state.done
                await self._seek_back(tp, state)

    async def commit(self) -> None:
        """Commit what is durable. A commit lost to a rebalance only means some messages come again."""
        held = self.port.assignment()
        offsets = {tp: s.done for tp, s in self._partitions.items() if s.done > s.committed and tp in held}
        if offsets and await self.port.commit(offsets):
            for tp, offset in offsets.items():
                state = self._partitions.get(tp)
                if state is not None:  # the agents commit concurrently: never move it back
                    state.committed = max(state.committed, offset)

    def forget(self, tps: Iterable[TP]) -> None:
        """The partitions were revoked: whoever holds them next starts from the committed offsets."""
        for tp in tps:
            self._partitions.pop(tp, None)

    async def unstick(self) -> None:
        """Seek back partitions whose consumer is past the offset due and that have not moved for a while."""
        now = self.clock()
        for tp in sorted(self.port.assignment()):
            if tp.topic not in self.topics:
                continue
            state = await self._state(tp)
            if state.due > state.done:
                continue  # a batch of it is being processed (say, waiting for the broker): not stuck
            if now - state.progressed_at < self.stall_after_seconds:
                continue
            position = await self.port.position(tp)
            if position is not None and position > state.due:
                log.warning(
                    "consumer is past unprocessed messages; seeking back",
                    extra={"topic": tp.topic, "partition": tp.partition, "due": state.due, "at": position},
                )
                await self._seek_back(tp, state)

    async def _state(self, tp: TP) -> _Partition:
        state = self._partitions.get(tp)
        if state is None:
            committed = (await self.port.committed([tp])).get(tp)
            due = committed if committed is not None else (await self.port.earliest([tp]))[tp]
            state = _Partition(due=due, done=due, committed=due, progressed_at=self.clock())
            self._partitions[tp] = state
        return state

    async def _catch_up(self, tp: TP, state: _Partition) -> None:
        """Another worker may have held the partition meanwhile and committed past what this one knew."""
        committed = (await self.port.committed([tp])).get(tp)
        if committed is not None and committed > state.done:
            state.due = state.done = state.committed = committed
            state.sought_to = None

    async def _hole(self, tp: TP, state: _Partition, offset: int) -> bool:
        """True to step over the hole before ``offset``, False after seeking back to the offset due."""
        if state.rewinds >= self.max_rewinds:
            log.error(
                "stepping over offsets that never arrive",
                extra={"topic": tp.topic, "partition": tp.partition, "from": state.due, "to": offset},
            )
            state.rewinds = 0
            return True
        if state.sought_to != state.due:
            log.warning(
                "messages skipped by the consumer; seeking back",
                extra={"topic": tp.topic, "partition": tp.partition, "due": state.due, "got": offset},
            )
            await self._seek_back(tp, state)
        return False

    async def _seek_back(self, tp: TP, state: _Partition) -> None:
        if tp not in self.port.assignment() or not await self.port.seek(tp, state.due):
            self._partitions.pop(tp, None)  # revoked meanwhile: its next holder starts from the commit
            return
        state.sought_to = state.due
        state.rewinds += 1
        state.progressed_at = self.clock()
        self.on_rewind()


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
