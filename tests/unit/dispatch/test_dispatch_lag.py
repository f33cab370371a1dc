"""The consumer lag gauge: the topics the agents consume, never the triage table's changelog."""

from __future__ import annotations

from faust.types import TP
from prometheus_client import CollectorRegistry

from services.dispatch.agents import record_consumer_lag
from services.dispatch.metrics import DispatchMetrics
from tests.unit.dispatch.offset_port import FakeOffsetPort

REPORTS = "gridloop.reports"
CLOSURES = "gridloop.dispatch-closures"
CHANGELOG = "gridloop-dispatch-open-cases-changelog"


def lag_by_topic(metrics: DispatchMetrics) -> dict[str, float]:
    return {
        sample.labels["topic"]: sample.value
        for family in metrics.registry.collect()
        if family.name == "gridloop_dispatch_consumer_lag_messages"
        for sample in family.samples
    }


async def test_the_lag_is_summed_per_consumed_topic_and_the_changelog_is_left_out() -> None:
    held = {TP(REPORTS, 0), TP(REPORTS, 1), TP(CLOSURES, 0), TP(CHANGELOG, 0), TP(CHANGELOG, 1)}
    port = FakeOffsetPort(held)
    port.highwaters = {TP(REPORTS, 0): 50, TP(REPORTS, 1): 7, TP(CLOSURES, 0): 3}
    port.positions = {TP(REPORTS, 0): 40, TP(REPORTS, 1): 7, TP(CLOSURES, 0): 3}
    # Paused once the state is recovered, while dispatch writes on: an idle pipeline still shows this.
    port.highwaters |= {TP(CHANGELOG, 0): 180, TP(CHANGELOG, 1): 112}
    port.positions |= {TP(CHANGELOG, 0): 60, TP(CHANGELOG, 1): 0}
    metrics = DispatchMetrics(CollectorRegistry())

    await record_consumer_lag(port, metrics, topics=frozenset({REPORTS, CLOSURES}))

    assert lag_by_topic(metrics) == {REPORTS: 10, CLOSURES: 0}


async def test_a_partition_taken_away_since_the_assignment_was_read_is_not_measured() -> None:
    port = FakeOffsetPort({TP(REPORTS, 0), TP(REPORTS, 1)})
    port.highwaters = {TP(REPORTS, 0): 5, TP(REPORTS, 1): 9}
    port.positions = {TP(REPORTS, 0): 2}  # partition 1's position: gone with the partition
    metrics = DispatchMetrics(CollectorRegistry())

    await record_consumer_lag(port, metrics, topics=frozenset({REPORTS}))

    assert lag_by_topic(metrics) == {REPORTS: 3}
