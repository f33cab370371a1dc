"""`make bench`: figures against the stack `make up` runs, each with a baseline measured in the same run.

Prints a table and writes `.bench/results.json`: one entry per figure with name, value, unit and, where
it has one, the baseline and the ratio to it.

`make bench BENCH_SHORT=1` (`python -m bench --short`) makes every figure from small counts, in a minute or
two, and writes them to `.bench/results-short.json`: its values mean little; it shows that every bench
still runs to its end (`make test` runs it against the test stack). A figure whose name carries a size
carries the short run's size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import children
from bench.e2e_latency import measure_end_to_end
from bench.locator import locator_figures
from shared.settings import DEV_DATABASE_URL
from tools import display
from tools.client import Endpoints, LoopClient

RESULTS = Path(".bench/results.json")
SHORT_RESULTS = Path(".bench/results-short.json")
# --short: the cities of the locator's, dispatch's and the console's figures, in grids.
SHORT_GRIDS = (100, 2_000)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pending_messages(metrics: str) -> int:
    """Messages a service has yet to process, from its lag gauges (its /metrics text)."""
    total = 0
    for line in metrics.splitlines():
        if "_consumer_lag_messages{" in line and not line.startswith("#"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def consumer_lag(endpoints: Endpoints) -> int:
    """Messages the stack's consumers have yet to process."""
    return sum(
        pending_messages(httpx.get(f"{base}/metrics", timeout=5).text)
        for base in (endpoints.dispatch, endpoints.handling, endpoints.scoring)
    )


def wait_until_quiet(endpoints: Endpoints, *, within: float = 180.0) -> None:
    """Let the pipeline digest the last phase's reports, so each phase starts on an idle machine."""
    deadline = time.monotonic() + within
    quiet_reads = 0
    while quiet_reads < 3 and time.monotonic() < deadline:
        quiet_reads = quiet_reads + 1 if consumer_lag(endpoints) == 0 else 0
        time.sleep(1)
    if quiet_reads < 3:
        print(f"warning: the stack still has consumer lag after {within:.0f}s", file=sys.stderr)


async def port_accepting(port: int, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"nothing accepts connections on 127.0.0.1:{port} after {within:.0f}s"
                ) from None
            await asyncio.sleep(0.1)
        else:
            writer.close()
            await writer.wait_closed()
            return


def run_load(url: str, *, seconds: float, rate: float | None = None, concurrency: int = 32) -> dict[str, Any]:
    command = ["-m", "bench.load", "--url", url, "--seconds", str(seconds)]
    command += ["--rate", str(rate)] if rate else ["--concurrency", str(concurrency)]
    out = children.run("the load generator (bench.load)", command)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


async def intake_figures(endpoints: Endpoints, seconds: float, run_dir: Path) -> list[Figure]:
    port = free_port()
    noop = await children.start(
        "the no-op baseline server (bench.noop_app)",
        ["-m", "bench.noop_app", str(port)],
        log=run_dir / "noop.log",
    )
    noop_reports, intake_reports = f"http://127.0.0.1:{port}/v1/reports", f"{endpoints.intake}/v1/reports"

    async def load(url: str, rate: float | None = None) -> dict[str, Any]:
        return await children.watching(asyncio.to_thread(run_load, url, seconds=seconds, rate=rate), noop)

    try:
        await children.watching(port_accepting(port), noop)
        print("the no-op baseline at saturation, then intake …", file=sys.stderr)
        noop_sat = await load(noop_reports)
        intake_sat = await load(intake_reports)
        wait_until_quiet(endpoints)
        half = max(1.0, intake_sat["requests_per_second"] / 2)
        print(f"latency at half of intake's saturation ({half:.0f}/s) …", file=sys.stderr)
        noop_half = await load(noop_reports, rate=half)
        intake_half = await load(intake_reports, rate=half)
        wait_until_quiet(endpoints)
    finally:
        await noop.stop()
    for name, result in (("intake", intake_sat), ("intake@half", intake_half)):
        bad = {code: n for code, n in result["statuses"].items() if not str(code).startswith("2")}
        if bad:
            print(f"warning: {name} answered non-2xx: {bad}", file=sys.stderr)
    return [
        Figure(
            "intake_accepted_reports_per_second",
            intake_sat["requests_per_second"],
            "1/s",
            noop_sat["requests_per_second"],
            "noop_fastapi_requests_per_second",
        ),
        Figure(
            "intake_p99_ack_latency_at_half_saturation",
            intake_half["p99_seconds"],
            "s",
            noop_half["p99_seconds"],
            "noop_fastapi_p99_latency_at_same_rate",
        ),
    ]


def print_table(figures: list[Figure]) -> None:
    table = display.table(
        "figure", "value", "unit", "baseline", "ratio", right=("value", "baseline", "ratio")
    )
    for f in figures:
        baseline = f"{f.baseline:.4g}" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else "-"
        table.add_row(f.name, f"{f.value:.4g}", f.unit, baseline, ratio)
    print()
    display.print_table(table)


def write_results(figures: list[Figure], path: Path) -> None:
    """Print the table and write the figures as JSON; fail when a figure has no value (a phase that
    measured nothing gives NaN), after writing them, so that the file shows which."""
    print_table(figures)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {path}")
    empty = [
        f.name
        for f in figures
        if not math.isfinite(f.value) or (f.baseline is not None and not math.isfinite(f.baseline))
    ]
    if empty:
        raise SystemExit(f"figures without a value: {', '.join(empty)}")


async def stack_figures(seconds: float, e2e_rate: float) -> list[Figure]:
    """Intake's figures and the end-to-end latency, through the running stack."""
    endpoints = Endpoints.from_env()
    client = LoopClient(endpoints)
    try:
        await client.wait_ready(within=30)
    finally:
        await client.close()
    with tempfile.TemporaryDirectory(prefix="bench-noop-") as tmp:
        figures = await intake_figures(endpoints, seconds, Path(tmp))
    kafka = os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    p50, p99 = await measure_end_to_end(endpoints, kafka, rate=e2e_rate, seconds=seconds)
    figures += [
        Figure("end_to_end_post_to_case_assigned_p50", p50, "s"),
        Figure("end_to_end_post_to_case_assigned_p99", p99, "s"),
    ]
    return figures


def figures_beside_the_stack(*, short: bool) -> list[Figure]:
    """The locator's figures (no stack needed: GridLocator in a small and a large city), then the benches
    that run processes of their own on the stack's broker and database: dispatch (reports/s vs a raw
    aiokafka loop, a small vs a large city, the merge index's memory), scoring (case events/s, batched vs
    per event, vs a raw consume; CPU per event; a recompute) and the case stream (commits/s, latency);
    last the console's build in headless chromium (no stack needed: a large city's map vs the sample's)."""
    # Imported here: they import this module (Figure).
    from bench.console import console_figures
    from bench.dispatch import dispatch_figures
    from bench.scoring import scoring_figures
    from bench.stream import stream_figures

    url = os.environ.get("DATABASE_URL", DEV_DATABASE_URL)
    if not short:
        return [
            *locator_figures(Figure),
            *dispatch_figures(),
            *scoring_figures(),
            *stream_figures(Figure, url),
            *console_figures(Figure),
        ]
    return [
        *locator_figures(Figure, sizes=SHORT_GRIDS, points=2_000),
        *dispatch_figures(reports=500, sizes=SHORT_GRIDS, open_cases=20_000),
        *scoring_figures(events=500, recompute_events=10_000),
        *stream_figures(Figure, url, cases=200, latency_samples=50),
        *console_figures(Figure, grids=SHORT_GRIDS[1], runs=1),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--short", action="store_true", help="every figure from small counts (CI)")
    parser.add_argument("--seconds", type=float, help="duration of each load phase (10, short: 1)")
    parser.add_argument(
        "--e2e-rate", type=float, help="reports per second for end-to-end latency (20, short: 10)"
    )
    args = parser.parse_args()
    seconds = args.seconds or (1.0 if args.short else 10.0)
    e2e_rate = args.e2e_rate or (10.0 if args.short else 20.0)
    started = time.monotonic()
    figures = asyncio.run(stack_figures(seconds, e2e_rate))
    figures += figures_beside_the_stack(short=args.short)
    write_results(figures, SHORT_RESULTS if args.short else RESULTS)
    print(f"the bench took {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
