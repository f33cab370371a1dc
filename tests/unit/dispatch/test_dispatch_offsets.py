"""The offsets dispatch tracks and commits itself: messages due in order, none twice, holes sought back."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from faust.types import TP

from services.dispatch.offsets import ConsumedOffsets
from tests.unit.dispatch.offset_port import FakeOffsetPort

TOPIC = "gridloop.reports"
P0, P1 = TP(TOPIC, 0), TP(TOPIC, 1)


@dataclass(frozen=True)
class Msg:
    topic: str
    partition: int
    offset: int


def msgs(partition: int, *offsets: int, topic: str = TOPIC) -> list[Msg]:
    return [Msg(topic, partition, offset) for offset in offsets]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ledger(port: FakeOffsetPort, clock: Clock | None = None, **kwargs: object) -> ConsumedOffsets:
    return ConsumedOffsets(port, topics=frozenset({TOPIC}), clock=clock or Clock(), **kwargs)  # type: ignore[arg-type]


async def done(offsets: ConsumedOffsets, batch: list[Msg]) -> list[Msg]:
    admitted = await offsets.admit(batch)
    async with offsets.processing(admitted):
        pass
    return admitted


async def test_messages_in_order_are_admitted_and_committed_after_they_are_done() -> None:
    port = FakeOffsetPort({P0, P1}, committed={P0: 10})
    offsets = ledger(port)

    admitted = await offsets.admit(msgs(0, 10, 11) + msgs(1, 0))

    assert admitted == msgs(0, 10, 11) + msgs(1, 0)
    assert port.commits == []  # nothing is committed before it is durable
    offsets.processed(admitted)
    await offsets.commit()
    assert port.commits == [{P0: 12, P1: 1}]


async def test_a_message_seen_before_is_not_admitted_again() -> None:
    port = FakeOffsetPort({P0}, committed={P0: 5})
    offsets = ledger(port)
    await done(offsets, msgs(0, 5, 6))

    assert await offsets.admit(msgs(0, 3, 4, 5, 6, 7)) == msgs(0, 7)


async def test_a_hole_seeks_back_and_drops_what_comes_after_it_until_the_offset_due_arrives() -> None:
    port = FakeOffsetPort({P0, P1}, committed={P0: 67, P1: 0})
    offsets = ledger(port)

    # faust skipped 67..529: the first message the agent sees is 530.
    admitted = await offsets.admit(msgs(0, 530, 531) + msgs(1, 0))

    assert admitted == msgs(1, 0)  # the other partition goes on
    assert port.seeks == [(P0, 67)]
    # Stale messages fetched before the seek are dropped without seeking again.
    assert await offsets.admit(msgs(0, 532)) == []
    assert port.seeks == [(P0, 67)]
    # The redelivery from the offset due is admitted.
    assert await offsets.admit(msgs(0, 67, 68)) == msgs(0, 67, 68)


async def test_a_hole_that_never_fills_is_stepped_over_after_the_rewinds_allowed() -> None:
    clock = Clock()
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port, clock, max_rewinds=2, stall_after_seconds=5)
    port.positions[P0] = 4

    assert await offsets.admit(msgs(0, 3)) == []  # offsets 0..2 do not exist (say, markers)
    clock.now += 10
    port.positions[P0] = 4
    await offsets.unstick()  # the second seek back
    assert port.seeks == [(P0, 0), (P0, 0)]
    assert await offsets.admit(msgs(0, 3)) == msgs(0, 3)


async def test_a_stuck_partition_is_sought_back_only_after_it_made_no_progress_for_a_while() -> None:
    clock = Clock()
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port, clock, stall_after_seconds=5)
    await done(offsets, msgs(0, 0, 1))
    port.positions[P0] = 9  # the consumer is past 2..8, the agent never got them

    clock.now += 4
    await offsets.unstick()
    assert port.seeks == []
    clock.now += 2
    await offsets.unstick()
    assert port.seeks == [(P0, 2)]


async def test_a_partition_at_its_end_is_not_stuck() -> None:
    clock = Clock()
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port, clock, stall_after_seconds=5)
    await done(offsets, msgs(0, 0, 1))
    port.positions[P0] = 2
    clock.now += 60

    await offsets.unstick()

    assert port.seeks == []


async def test_a_failed_batch_is_due_again_and_not_committed() -> None:
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port)
    await done(offsets, msgs(0, 0))
    admitted = await offsets.admit(msgs(0, 1, 2))

    with pytest.raises(RuntimeError):
        async with offsets.processing(admitted):
            raise RuntimeError("broker gone")

    assert port.seeks == [(P0, 1)]
    assert port.commits == [{P0: 1}]
    assert await offsets.admit(msgs(0, 1, 2)) == msgs(0, 1, 2)


async def test_a_revoked_partition_starts_again_from_the_committed_offset() -> None:
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port)
    await offsets.admit(msgs(0, 0, 1, 2))  # admitted, not done, when the partition went away

    offsets.forget({P0})

    assert await offsets.admit(msgs(0, 0, 1)) == msgs(0, 0, 1)


async def test_messages_of_partitions_not_held_are_left_to_their_holder() -> None:
    port = FakeOffsetPort({P1})
    offsets = ledger(port)

    assert await offsets.admit(msgs(0, 0) + msgs(1, 0)) == msgs(1, 0)
    assert port.seeks == []


async def test_with_nothing_committed_the_partition_starts_at_its_oldest_offset() -> None:
    port = FakeOffsetPort({P0}, earliest=40)
    offsets = ledger(port)

    assert await offsets.admit(msgs(0, 40)) == msgs(0, 40)


async def test_a_commit_lost_to_a_rebalance_is_tried_again_and_never_moves_back() -> None:
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port)
    port.refuse_commits = True
    await done(offsets, msgs(0, 0, 1))
    port.refuse_commits = False

    await offsets.commit()
    await done(offsets, msgs(0, 2))

    assert port.commits == [{P0: 2}, {P0: 3}]


async def test_other_topics_are_not_this_ledgers() -> None:
    port = FakeOffsetPort({P0, TP("elsewhere", 0)})
    offsets = ledger(port)

    assert await offsets.admit(msgs(0, 0, topic="elsewhere")) == []


async def test_a_hole_another_worker_filled_and_committed_is_caught_up_without_a_seek() -> None:
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port)
    await offsets.admit(msgs(0, 0))
    port.group_offsets[P0] = 7  # the partition was elsewhere for a while

    assert await offsets.admit(msgs(0, 5, 6, 7, 8)) == msgs(0, 7, 8)
    assert port.seeks == []


async def test_a_partition_revoked_while_seeking_is_forgotten() -> None:
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port)
    await offsets.admit(msgs(0, 0))
    port.refuse_seeks = True

    assert await offsets.admit(msgs(0, 5)) == []
    port.refuse_seeks = False
    port.group_offsets[P0] = 5  # its holder meanwhile committed up to 5
    assert await offsets.admit(msgs(0, 5)) == msgs(0, 5)


async def test_a_partition_with_a_batch_in_flight_is_not_stuck() -> None:
    clock = Clock()
    port = FakeOffsetPort({P0}, committed={P0: 0})
    offsets = ledger(port, clock, stall_after_seconds=5)
    await offsets.admit(msgs(0, 0, 1))  # admitted, still being published (the broker is away)
    port.positions[P0] = 9
    clock.now += 60

    await offsets.unstick()

    assert port.seeks == []
