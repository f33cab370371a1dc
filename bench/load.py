"""A load generator in its own process: closed-loop saturation or open-loop fixed rate.

Prints one JSON object (throughput, latency percentiles, status counts) on stdout; a progress bar
on stderr. Open-loop latency is measured from each request's scheduled time, so a slow server
cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from typing import Any

import httpx
from tqdm import tqdm

from shared.city import load_city
from shared.settings import REPO_ROOT
from tools.client import report_body


def bodies() -> Any:
    city = load_city(REPO_ROOT / "city")
    points = [grid.polygon.representative_point() for grid in city.grids]
    categories = [c.code for c in city.categories if c.active]
    rng = random.Random(7)
    while True:
        point = rng.choice(points)
        yield report_body(category=rng.choice(categories), lon=point.x, lat=point.y)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def saturate(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    source = bodies()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        end = time.perf_counter() + seconds
        progress = tqdm(total=int(seconds), desc="saturate", unit="s", file=sys.stderr, leave=False)

        async def worker() -> None:
            while time.perf_counter() < end:
                started = time.perf_counter()
                response = await client.post(url, json=next(source), headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] += 1

        async def tick() -> None:
            while time.perf_counter() < end:
                await asyncio.sleep(1)
                progress.update(1)

        started = time.perf_counter()
        await asyncio.gather(tick(), *(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        progress.close()
    ok = sum(n for code, n in statuses.items() if 200 <= code < 300)
    return {
        "requests_per_second": ok / elapsed,
        "p50_seconds": percentile(latencies, 0.50),
        "p99_seconds": percentile(latencies, 0.99),
        "statuses": dict(statuses),
    }


async def fixed_rate(url: str, headers: dict[str, str], seconds: float, rate: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    source = bodies()
    total = int(seconds * rate)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=256), timeout=30) as client:
        progress = tqdm(total=total, desc=f"{rate:.0f}/s", unit="req", file=sys.stderr, leave=False)
        start = time.perf_counter()

        async def one(scheduled: float, body: dict[str, Any]) -> None:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            response = await client.post(url, json=body, headers=headers)
            latencies.append(time.perf_counter() - scheduled)
            statuses[response.status_code] += 1
            progress.update(1)

        await asyncio.gather(*(one(start + i / rate, next(source)) for i in range(total)))
        progress.close()
    return {
        "rate": rate,
        "p50_seconds": percentile(latencies, 0.50),
        "p99_seconds": percentile(latencies, 0.99),
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", default="dev-key-resident-app")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, help="open-loop fixed rate; saturate when absent")
    args = parser.parse_args()
    headers = {"X-Api-Key": args.api_key}
    if args.rate:
        result = asyncio.run(fixed_rate(args.url, headers, args.seconds, args.rate))
    else:
        result = asyncio.run(saturate(args.url, headers, args.seconds, args.concurrency))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
