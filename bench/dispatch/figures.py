"""The dispatch figures of `make bench`: each rate with the baseline measured in the same run."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from bench.__main__ import Figure
from bench.dispatch.broker import (
    bootstrap,
    delete_topics,
    dispatch_rate,
    faust_floor_rate,
    produce_backlog,
    raw_loop_rate,
)
from bench.dispatch.memory import memory_in_child
from bench.dispatch.workload import grid_points, make_city, make_reports
from shared.kafka import ensure_topics
from shared.topics import CASE_EVENTS, REPORTS

SIZES = (100, 100_000)


async def measure(reports_per_run: int, sizes: tuple[int, ...], open_cases: int) -> list[Figure]:
    kafka = bootstrap()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        work = Path(tmp)
        prefix = f"bench-raw-{uuid.uuid4().hex[:8]}."
        await ensure_topics(kafka, partitions=6, replication_factor=1, prefix=prefix)
        city_dirs = {size: make_city(size, work) for size in sizes}
        sample = make_reports(grid_points(city_dirs[sizes[0]]), reports_per_run)
        try:
            await produce_backlog(kafka, prefix + REPORTS.name, sample)
            print("the raw aiokafka consume-and-produce loop, three times …", file=sys.stderr)
            # Its rate swings by 2× from run to run (it finishes in seconds); the median of three is steadier.
            raws = [
                await raw_loop_rate(kafka, prefix + REPORTS.name, prefix + CASE_EVENTS.name, len(sample))
                for _ in range(3)
            ]
            raw = statistics.median(raws)
        finally:
            await delete_topics(kafka, prefix)
        print("faust passing the reports through …", file=sys.stderr)
        floor_dir = work / "floor"
        floor_dir.mkdir()
        floor = await faust_floor_rate(kafka, sample, floor_dir)
        rates: dict[int, float] = {}
        for size in sizes:
            print(f"dispatch in a city of {size} grids …", file=sys.stderr)
            reports = make_reports(grid_points(city_dirs[size]), reports_per_run)
            run_dir = work / f"run-{size}"
            run_dir.mkdir()
            rates[size] = await dispatch_rate(kafka, city_dirs[size], reports, run_dir)
    smallest = sizes[0]
    figures.append(
        Figure(
            f"dispatch_reports_per_second_{smallest}_grids",
            rates[smallest],
            "1/s",
            raw,
            "raw_aiokafka_consume_produce_per_second",
        )
    )
    # Where the gap to the raw loop is: faust's own floor, and what dispatch adds on top of it.
    figures.append(
        Figure("faust_passthrough_per_second", floor, "1/s", raw, "raw_aiokafka_consume_produce_per_second")
    )
    figures.append(
        Figure(
            f"dispatch_reports_per_second_{smallest}_grids_vs_faust",
            rates[smallest],
            "1/s",
            floor,
            "faust_passthrough_per_second",
        )
    )
    for size in sizes[1:]:
        figures.append(
            Figure(
                f"dispatch_reports_per_second_{size}_grids",
                rates[size],
                "1/s",
                rates[smallest],
                f"dispatch_reports_per_second_{smallest}_grids",
            )
        )
    if open_cases:
        print(f"the merge index with {open_cases:,} open cases …", file=sys.stderr)
        memory = memory_in_child(open_cases)
        figures += [
            Figure(f"dispatch_index_peak_memory_{open_cases}_open_cases", memory["peak_mb"], "MB"),
            Figure(f"dispatch_index_match_at_{open_cases}_open_cases", memory["match_us"], "µs"),
        ]
    return figures


def dispatch_figures(
    *, reports: int = 20_000, sizes: tuple[int, ...] = SIZES, open_cases: int = 1_000_000
) -> list[Figure]:
    """The figures, for `make bench` (bench/__main__.py) and for running alone."""
    return asyncio.run(measure(reports, sizes, open_cases))
