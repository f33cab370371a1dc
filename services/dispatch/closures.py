"""Closed cases leave the open-case index of the partition that opened them.

The index lives with the reports' partitions, but a closure arrives on the case-events topic, keyed by
case id, with nothing saying which reports partition opened the case. Rather than keep a second table of
every open case's cell to re-key closures by (as large as the index itself), each closure is fanned out
to every partition of a small internal topic, ``<prefix>gridloop.dispatch-closures``, co-partitioned with
the reports topic (same partition count, so faust gives partition p of both to the same worker). The
worker holding reports partition p reads closures partition p and removes the case if its index has it.
Closures are far rarer than reports, so N small records per closure cost less than the table.

Both steps are at-least-once and idempotent: a closure fanned out twice, or removed twice, changes
nothing the second time.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from typing import Any

import faust
from faust.types import AgentT, StreamT

from services.dispatch.agents import admitted_batches
from services.dispatch.metrics import DispatchMetrics
from services.dispatch.offsets import ConsumedOffsets
from services.dispatch.ports import Changelog
from services.dispatch.state import TriageStates
from shared.events.cases import CaseClosed
from shared.topics import CASE_EVENTS

log = logging.getLogger(__name__)

CLOSURES_TOPIC = "gridloop.dispatch-closures"
_CLOSED_TYPE = CaseClosed.event_type.encode()


def closed_case_id(headers: Any, key: bytes | None) -> uuid.UUID | None:
    """The case id of a CaseClosed record (its key), or None for any other record.

    Only the ``ce_type`` header is read: dispatch need not decode every case event to find closures.
    """
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    if not any(name == "ce_type" and bytes(value) == _CLOSED_TYPE for name, value in items):
        return None
    try:
        return uuid.UUID(bytes(key or b"").decode())
    except ValueError:
        return None


def register_closure_agents(
    app: faust.App,
    *,
    states: TriageStates,
    changelog: Changelog,
    metrics: DispatchMetrics,
    offsets: ConsumedOffsets,
    partitions: int,
    batch_size: int,
    batch_within: float,
    topic_prefix: str = "",
) -> tuple[AgentT[Any], AgentT[Any]]:
    # acks=False: offsets are tracked and committed by ``offsets``, not by faust (services.dispatch.offsets).
    case_events = app.topic(
        topic_prefix + CASE_EVENTS.name, key_serializer="raw", value_serializer="raw", acks=False
    )
    closures = app.topic(
        topic_prefix + CLOSURES_TOPIC,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
        internal=True,
        acks=False,
    )

    @app.agent(case_events, name="dispatch-closures-fan-out")
    async def fan_out(stream: StreamT[Any]) -> None:
        async for messages in admitted_batches(stream, offsets, batch_size=batch_size, within=batch_within):
            async with offsets.processing(messages):
                sends = []
                for message in messages:
                    case_id = closed_case_id(message.headers, message.key)
                    if case_id is None:
                        continue
                    key = str(case_id).encode()
                    sends += [await closures.send(key=key, value=key, partition=p) for p in range(partitions)]
                # Acknowledged before the batch is: a crash re-reads the closures, it never loses one.
                if sends:
                    await asyncio.gather(*sends)

    @app.agent(closures, name="dispatch-closures")
    async def remove_closed(stream: StreamT[Any]) -> None:
        async for messages in admitted_batches(stream, offsets, batch_size=batch_size, within=batch_within):
            async with offsets.processing(messages):
                for message in messages:
                    try:
                        case_id = uuid.UUID(bytes(message.value or b"").decode())
                    except ValueError:
                        log.warning("ignoring a malformed closure", extra={"partition": message.partition})
                        continue
                    changes = states[message.partition].close(case_id)
                    if changes:
                        changelog.write(message.partition, changes)
                        metrics.cases_closed_seen.inc()
                await changelog.flush()
            metrics.open_cases_indexed.set(states.open_cases)

    return fan_out, remove_closed
