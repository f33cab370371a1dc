"""Scoring's own Prometheus metrics, beside every service's standard ones (``shared.observability``)."""

from __future__ import annotations

from prometheus_client import Counter

from shared.observability import ServiceMetrics


def results_updated_total(metrics: ServiceMetrics) -> Counter:
    return metrics.counter(
        "results_updated_total",
        "Assessment results that changed and were queued for publishing, by subject type.",
        ("subject_type",),
    )
