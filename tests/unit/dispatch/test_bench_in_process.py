"""`python -m bench.dispatch --in-process` runs dispatch's own path over the bench's reports: it must keep
working as the handler changes (it is what the dispatch README's per-report figures come from)."""

from __future__ import annotations

from bench.dispatch import in_process


def test_the_in_process_bench_runs_dispatch_over_its_reports() -> None:
    figures = in_process(60)
    assert figures["reports"] == 60
    assert figures["us_per_report"] > 0
