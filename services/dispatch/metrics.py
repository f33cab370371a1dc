"""Dispatch's metrics: the standard service set plus the cases it opens."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from shared.observability import ServiceMetrics


class DispatchMetrics(ServiceMetrics):
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        super().__init__("dispatch", registry)
        self.cases_opened = self.counter(
            "cases_opened_total", "Cases opened from reports, by the tier the category belongs to.", ("tier",)
        )
        self.reports_unlocated = self.counter(
            "reports_unlocated_total",
            "Reports placed neither by their point nor by their address, left to operators to triage.",
        )
        self.reports_merged = self.counter(
            "reports_merged_total", "Duplicate reports merged into an open case instead of opening one."
        )
        self.reports_voided = self.counter(
            "reports_voided_total", "Reports voided (never a case), by reason.", ("reason",)
        )
        self.cases_closed_seen = self.counter(
            "case_closures_total", "Case closures taken out of the open-case index."
        )
        self.open_cases_indexed = self.gauge(
            "open_cases_indexed", "Open cases in this worker's duplicate-merge index (its partitions)."
        )
        self.consumer_rewinds = self.counter(
            "consumer_rewinds_total",
            "Seeks back to messages the consumer had passed without the agents processing them.",
        )
