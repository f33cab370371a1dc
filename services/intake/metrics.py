"""Intake's own Prometheus metrics, beside every service's standard ones (``shared.observability``)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Histogram

from shared.observability import ServiceMetrics


@dataclass(frozen=True)
class IntakeMetrics:
    accepted: Counter
    rejected: Counter
    ack_seconds: Histogram


def intake_metrics(metrics: ServiceMetrics) -> IntakeMetrics:
    return IntakeMetrics(
        accepted=metrics.counter(
            "reports_accepted_total", "Reports durably stored in Kafka.", ("source_type",)
        ),
        rejected=metrics.counter("reports_rejected_total", "Reports refused, by reason code.", ("reason",)),
        ack_seconds=metrics.histogram("kafka_ack_seconds", "Time from send to the broker's acknowledgement."),
    )
