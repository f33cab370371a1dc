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
            "reports_unlocated_total", "Reports whose location is in no grid, left to operators to triage."
        )
