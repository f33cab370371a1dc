"""The faust agent: reports in, triage outcomes out, nothing acknowledged before the broker has the output.

Reports are taken in small batches. Each report is triaged against the state of its partition
(``services.dispatch.state``); the batch's state changes are written to the changelog and acknowledged
first, then its records are published, and the broker's acknowledgements awaited, inside the agent's
loop body — so an outcome that was ever published is remembered after any crash, and a report processed
again gets the same outcome, never a second case. faust acknowledges a batch taken with ``take_events``
only when the body returns, and commits offsets only of acknowledged messages. A crash anywhere before that
leaves the offsets where they were, and the batch is processed again (at-least-once; the events carry
deterministic ids so consumers dedupe).

Every message is handled in its own ``try``: faust would acknowledge — and so skip — a message whose
processing raised. A message that cannot be used becomes a dead letter (original bytes and reason) and
the agent moves on; nothing is dropped silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import faust
from faust.types import TP, AgentT, EventT, StreamT

from services.dispatch.domain.outcomes import Merged, Opened, Voided
from services.dispatch.domain.rules import TriageRules
from services.dispatch.handlers import Dispatched, PoisonReport, handle_report_submitted
from services.dispatch.metrics import DispatchMetrics
from services.dispatch.offsets import ConsumedOffsets
from services.dispatch.ports import Changelog, Publisher
from services.dispatch.state import TriageStates
from shared.city import City
from shared.events import KafkaRecord, UndecodableEvent, decode
from shared.kafka import dead_letter_record
from shared.topics import REPORTS
from shared.worktime import WorkTime

log = logging.getLogger(__name__)

CONSUMER = "dispatch"


@dataclass(frozen=True)
class Inbound:
    """What the dispatcher needs of one consumed message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, event: EventT[Any]) -> Inbound:
        message = event.message
        raw_headers = message.headers or ()
        headers = raw_headers.items() if isinstance(raw_headers, Mapping) else raw_headers
        return cls(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            headers=tuple((str(name), bytes(value)) for name, value in headers),
        )


class ReportDispatcher:
    def __init__(
        self,
        *,
        city: City,
        rules: TriageRules,
        states: TriageStates,
        changelog: Changelog,
        sla_scale: float,
        publisher: Publisher,
        metrics: DispatchMetrics,
        worktime: WorkTime | None = None,
    ):
        self._city = city
        self._worktime = worktime
        self._rules = rules
        self._states = states
        self._changelog = changelog
        self._sla_scale = sla_scale
        self._publisher = publisher
        self._metrics = metrics

    async def dispatch_batch(self, messages: Sequence[Inbound]) -> None:
        """Publish every message's records (or dead letter); return once the broker has them all."""
        records: list[KafkaRecord] = []
        outcomes: list[tuple[Inbound, Dispatched | None]] = []
        for message in messages:
            dispatched, produced = self._records_for(message)
            records += produced
            outcomes.append((message, dispatched))
        # The state first: once an outcome is published it must be the one a reprocessing finds.
        await self._changelog.flush()
        await self._publisher.publish(records)
        for message, dispatched in outcomes:
            self._account(message, dispatched)
        self._metrics.open_cases_indexed.set(self._states.open_cases)

    def _records_for(self, message: Inbound) -> tuple[Dispatched | None, list[KafkaRecord]]:
        started = time.perf_counter()
        try:
            envelope = decode(message.headers, message.value)
            dispatched = handle_report_submitted(
                envelope,
                city=self._city,
                rules=self._rules,
                triage=self._states[message.partition],
                sla_scale=self._sla_scale,
                worktime=self._worktime,
            )
            self._changelog.write(message.partition, dispatched.changes)
            return dispatched, dispatched.records
        except (UndecodableEvent, PoisonReport) as exc:
            return None, [self._dead_letter(message, str(exc))]
        except Exception as exc:
            # A defect, not bad input. The message is kept whole in the dead letters so that it can be
            # replayed once the defect is fixed; the stream does not stall behind it.
            log.exception("dispatching failed unexpectedly", extra=_position(message))
            return None, [self._dead_letter(message, f"unexpected error: {exc!r}")]
        finally:
            self._metrics.processing_seconds.labels(message.topic).observe(time.perf_counter() - started)

    def _dead_letter(self, message: Inbound, error: str) -> KafkaRecord:
        log.warning("dead-lettering message", extra={**_position(message), "error": error[:500]})
        return dead_letter_record(
            consumer=CONSUMER,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            headers=message.headers,
            error=error,
        )

    def _account(self, message: Inbound, dispatched: Dispatched | None) -> None:
        if dispatched is None:
            self._metrics.events_consumed.labels(message.topic, "dead_lettered").inc()
            return
        self._metrics.events_consumed.labels(message.topic, "processed").inc()
        outcome = dispatched.outcome
        extra: dict[str, Any] = {"report_id": str(dispatched.report_id), "priority": dispatched.priority}
        if isinstance(outcome, Voided):
            self._metrics.reports_voided.labels(outcome.reason).inc()
            log.info("report voided", extra={**extra, "reason": outcome.reason})
            return
        if isinstance(outcome, Merged):
            self._metrics.reports_merged.inc()
            log.info("report merged", extra={**extra, "case_id": str(outcome.case_id)})
            return
        assert isinstance(outcome, Opened)
        assert dispatched.opened is not None
        opened, assigned = dispatched.opened, dispatched.assigned
        self._metrics.cases_opened.labels(opened.tier).inc()
        if opened.grid_id is None and opened.community_id is None:  # not placed by its address either
            self._metrics.reports_unlocated.inc()
        log.info(
            "case opened" if assigned is None else "case opened and assigned",
            extra={
                **extra,
                "case_id": str(outcome.case_id),
                "grid_id": opened.grid_id,
                "tier": opened.tier,
                "assignee_id": assigned.assignee_id if assigned else None,
            },
        )


def register_agent(
    app: faust.App,
    dispatcher: ReportDispatcher,
    offsets: ConsumedOffsets,
    *,
    batch_size: int,
    batch_within: float,
    topic_prefix: str = "",
) -> AgentT[Any]:
    # Raw bytes both ways: the wire format is CloudEvents binary mode, decoded by shared.events only.
    # acks=False: offsets are tracked and committed by ``offsets``, not by faust (services.dispatch.offsets).
    reports = app.topic(topic_prefix + REPORTS.name, key_serializer="raw", value_serializer="raw", acks=False)

    @app.agent(reports, name="dispatch-reports")
    async def dispatch_reports(stream: StreamT[Any]) -> None:
        async for messages in admitted_batches(stream, offsets, batch_size=batch_size, within=batch_within):
            async with offsets.processing(messages):
                await dispatcher.dispatch_batch(messages)

    return dispatch_reports


async def admitted_batches(
    stream: StreamT[Any], offsets: ConsumedOffsets, *, batch_size: int, within: float
) -> AsyncIterator[list[Inbound]]:
    """The stream in batches of the messages due (``ConsumedOffsets.admit``); empty batches are skipped."""
    # take_events is on the concrete Stream only; faust's StreamT protocol does not declare it.
    async for events in cast(faust.Stream[Any], stream).take_events(batch_size, within=within):
        messages = await offsets.admit([Inbound.of(event) for event in events])
        if messages:
            yield messages


class LagPort(Protocol):
    """What measuring lag needs of the consumer (``FaustOffsets``)."""

    def assignment(self) -> set[TP]: ...

    def highwater(self, tp: TP) -> int | None: ...

    async def position(self, tp: TP) -> int | None: ...


async def record_consumer_lag(port: LagPort, metrics: DispatchMetrics, *, topics: frozenset[str]) -> None:
    """Set the lag gauge of each of ``topics`` (the ones the agents consume) this worker holds.

    The consumer is also assigned the triage table's changelog, which faust reads only while it recovers
    the state and then pauses: dispatch keeps writing to it, so its end moves away from a position that
    does not, and its "lag" would grow with every report and never come back to zero. It is not measured.
    """
    lag: dict[str, int] = {}
    for tp in port.assignment():
        if tp.topic not in topics:
            continue
        # Either is None for a partition a rebalance took away since the assignment was read.
        highwater = port.highwater(tp)
        position = await port.position(tp)
        if highwater is None or position is None:
            continue
        lag[tp.topic] = lag.get(tp.topic, 0) + max(0, highwater - position)
    for topic, value in lag.items():
        metrics.consumer_lag.labels(topic).set(value)


def register_lag_gauge(
    app: faust.App, port: LagPort, metrics: DispatchMetrics, *, topics: frozenset[str], interval: float
) -> None:
    @app.timer(interval)  # type: ignore[untyped-decorator]
    async def measure_consumer_lag() -> None:
        if not app.rebalancing:
            await record_consumer_lag(port, metrics, topics=topics)


def _position(message: Inbound) -> dict[str, Any]:
    return {"topic": message.topic, "partition": message.partition, "offset": message.offset}
