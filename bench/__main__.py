"""`make bench`: figures against the stack `make up` runs, each with a baseline measured in the same run.

Prints a table and writes `.bench/results.json`: one entry per figure with name, value, unit and, where
it has one, the baseline and the ratio to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.e2e_latency import measure_end_to_end
from bench.locator import locator_figures
from shared.settings import DEV_DATABASE_URL
from tools import display
from tools.client import Endpoints, LoopClient

RESULTS = Path(".bench/results.json")


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


def run_load(url: str, *, seconds: float, rate: float | None = None, concurrency: int = 32) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.load", "--url", url, "--seconds", str(seconds)]
    command += ["--rate", str(rate)] if rate else ["--concurrency", str(concurrency)]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def start_noop() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.noop_app", str(port)])
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the no-op baseline server did not start")


def consumer_lag(endpoints: Endpoints) -> int:
    """Messages the stack's consumers have yet to process, from their own lag gauges."""
    total = 0
    for base in (endpoints.dispatch, endpoints.handling, endpoints.scoring):
        text = httpx.get(f"{base}/metrics", timeout=5).text
        for line in text.splitlines():
            if "_consumer_lag_messages{" in line and not line.startswith("#"):
                total += int(float(line.rsplit(" ", 1)[1]))
    return total


def wait_until_quiet(endpoints: Endpoints, *, within: float = 180.0) -> None:
    """Let the pipeline digest the last phase's reports, so each phase starts on an idle machine."""
    deadline = time.monotonic() + within
    quiet_reads = 0
    while quiet_reads < 3 and time.monotonic() < deadline:
        quiet_reads = quiet_reads + 1 if consumer_lag(endpoints) == 0 else 0
        time.sleep(1)
    if quiet_reads < 3:
        print(f"warning: the stack still has consumer lag after {within:.0f}s", file=sys.stderr)


def intake_figures(endpoints: Endpoints, seconds: float) -> list[Figure]:
    noop, noop_base = start_noop()
    try:
        print("the no-op baseline at saturation, then intake …", file=sys.stderr)
        noop_sat = run_load(f"{noop_base}/v1/reports", seconds=seconds)
        intake_sat = run_load(f"{endpoints.intake}/v1/reports", seconds=seconds)
        wait_until_quiet(endpoints)
        half = max(1.0, intake_sat["requests_per_second"] / 2)
        print(f"latency at half of intake's saturation ({half:.0f}/s) …", file=sys.stderr)
        noop_half = run_load(f"{noop_base}/v1/reports", seconds=seconds, rate=half)
        intake_half = run_load(f"{endpoints.intake}/v1/reports", seconds=seconds, rate=half)
        wait_until_quiet(endpoints)
    finally:
        noop.terminate()
        noop.wait()
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
    table = display.table("figure", "value", "unit", "baseline", "ratio", right=("value", "baseline", "ratio"))
    for f in figures:
        baseline = f"{f.baseline:.4g}" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else "-"
        table.add_row(f.name, f"{f.value:.4g}", f.unit, baseline, ratio)
    print()
    display.print_table(table)


def write_results(figures: list[Figure], path: Path) -> None:
    """Print the table and write the figures as JSON (for a bench module run alone)."""
    print_table(figures)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {path}")


async def main_async(args: argparse.Namespace) -> list[Figure]:
    endpoints = Endpoints.from_env()
    client = LoopClient(endpoints)
    try:
        await client.wait_ready(within=30)
    finally:
        await client.close()
    figures = intake_figures(endpoints, args.seconds)
    kafka = os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    p50, p99 = await measure_end_to_end(endpoints, kafka, rate=args.e2e_rate, seconds=args.seconds)
    figures += [
        Figure("end_to_end_post_to_case_assigned_p50", p50, "s"),
        Figure("end_to_end_post_to_case_assigned_p99", p99, "s"),
    ]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="duration of each load phase")
    parser.add_argument(
        "--e2e-rate", type=float, default=20, help="reports per second for end-to-end latency"
    )
    args = parser.parse_args()
    figures = asyncio.run(main_async(args))
    figures += locator_figures(Figure)  # no stack needed: GridLocator at 100 vs 100,000 grids
    # Imported here: bench.dispatch imports this module (Figure). It runs its own dispatch workers on the
    # stack's broker: reports/s vs a raw aiokafka loop, 100 vs 100,000 grids, 1,000,000 open cases.
    from bench.dispatch import dispatch_figures

    figures += dispatch_figures()
    # Its own scoring processes on the stack's broker and database: case events/s (batched, per event)
    # vs a raw aiokafka consume, CPU per event, and a recompute of 1,000,000 case events.
    from bench.scoring import scoring_figures

    figures += scoring_figures()
    from bench.stream import stream_figures

    figures += stream_figures(Figure, os.environ.get("DATABASE_URL", DEV_DATABASE_URL))
    # No stack needed: the console's build in headless chromium, a 5,000-grid city's map vs the sample's.
    from bench.console import console_figures

    figures += console_figures(Figure)
    print_table(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
