"""End-to-end latency: from the POST to intake to the case-assigned event on the case-events topic."""

from __future__ import annotations

import asyncio
import random
import time

from shared.city import load_city
from shared.events import decode
from shared.events.cases import CaseAssigned
from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS
from tools import display
from tools.client import Endpoints, LoopClient, case_id_of, categories_opening_own_cases, report_body
from tools.tail import TopicTail


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def measure_end_to_end(
    endpoints: Endpoints, kafka: str, *, rate: float, seconds: float
) -> tuple[float, float]:
    city = load_city(REPO_ROOT / "city")
    points = [g.polygon.representative_point() for g in city.grids]
    grid_categories = [c.code for c in categories_opening_own_cases(city) if c.default_tier == "grid"]
    rng = random.Random(11)

    tail = TopicTail(kafka, CASE_EVENTS.name)
    await tail.start()

    posted: dict[str, float] = {}
    latencies: list[float] = []
    total = int(rate * seconds)
    client = LoopClient(endpoints)
    progress = display.progress(total=total, desc="end-to-end", unit="case", leave=False)

    async def post_all() -> None:
        start = time.perf_counter()
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            point = rng.choice(points)
            # A reporter per report: dispatch voids a reporter's reports beyond an hourly limit as spam.
            body = report_body(
                category=rng.choice(grid_categories), lon=point.x, lat=point.y, reporter_id=f"bench-{i}"
            )
            posted[case_id_of(body["report_id"])] = time.perf_counter()
            asyncio.get_running_loop().create_task(client.submit(body, api_key="dev-key-resident-app"))

    async def collect() -> None:
        deadline = time.perf_counter() + seconds + 30
        while len(latencies) < total and time.perf_counter() < deadline:
            records = await tail.records()
            now = time.perf_counter()
            for message in records:
                envelope = decode(message.headers, message.value)
                if isinstance(envelope.data, CaseAssigned):
                    sent = posted.pop(str(envelope.data.case_id), None)
                    if sent is not None:
                        latencies.append(now - sent)
                        progress.update(1)

    try:
        await asyncio.gather(post_all(), collect())
    finally:
        progress.close()
        await tail.stop()
        await client.close()
    if len(latencies) < total:
        raise RuntimeError(f"only {len(latencies)} of {total} reports reached case-assigned")
    return _percentile(latencies, 0.5), _percentile(latencies, 0.99)
