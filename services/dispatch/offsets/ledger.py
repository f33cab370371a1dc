"""``ConsumedOffsets``: per partition, the next offset due, what is done, what is committed; which
messages to admit, when to seek back and what to commit (the package's docstring says why)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from faust.types import TP

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
