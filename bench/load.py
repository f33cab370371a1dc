"""A load generator in its own process: closed-loop saturation or open-loop fixed rate.

aiohttp's client (already installed: faust serves its web pages with aiohttp) costs a fraction of
httpx's CPU per request, which matters on a 2-core machine where the load shares cores with the server.
Bodies are serialised once up front so that the generator spends its time sending.

Prints one JSON object (throughput, latency percentiles, status counts) on stdout; a progress bar
on stderr when it is a terminal. Open-loop latency is measured from each request's scheduled time, so a
slow server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from typing import Any

import aiohttp

from shared.city import load_city
from shared.settings import REPO_ROOT
from tools import display
from tools.client import report_body


def bodies(count: int) -> list[bytes]:
    """Distinct valid reports (each its own report id), spread over the city's grids and categories."""
    city = load_city(REPO_ROOT / "city")
    points = [grid.polygon.representative_point() for grid in city.grids]
    categories = [c.code for c in city.categories if c.active]
    rng = random.Random(7)
    out = []
    for _ in range(count):
        point = rng.choice(points)
        out.append(
            json.dumps(report_body(category=rng.choice(categories), lon=point.x, lat=point.y)).encode()
        )
    return out


def connector(limit: int) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=limit, force_close=False)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def saturate(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    source = iter(bodies(int(seconds * 20000)))
    headers = {**headers, "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector(concurrency)) as client:
        end = time.perf_counter() + seconds
        progress = display.progress(total=int(seconds), desc="saturate", unit="s", leave=False)

        async def worker() -> None:
            for body in source:
                if time.perf_counter() >= end:
                    break
                started = time.perf_counter()
                async with client.post(url, data=body, headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)
                statuses[response.status] += 1

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
    total = int(seconds * rate)
    source = bodies(total)
    headers = {**headers, "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector(256)) as client:
        progress = display.progress(total=total, desc=f"{rate:.0f}/s", unit="req", leave=False)
        start = time.perf_counter()

        async def one(scheduled: float, body: bytes) -> None:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with client.post(url, data=body, headers=headers) as response:
                await response.read()
            latencies.append(time.perf_counter() - scheduled)
            statuses[response.status] += 1
            progress.update(1)

        await asyncio.gather(*(one(start + i / rate, body) for i, body in enumerate(source)))
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
