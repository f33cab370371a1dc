"""The merge index's memory: one partition's triage state holding a million open cases, rebuilt as after
a restart, measured in a process of its own (`python -m bench.dispatch --memory-child N`) so that its
peak RSS is the index's and nothing else's."""

from __future__ import annotations

import json
import random
import resource
import time
import uuid
from datetime import UTC, datetime

from bench import children
from bench.dispatch.workload import CATEGORIES
from shared.settings import REPO_ROOT


def index_memory(open_cases: int) -> dict[str, float]:
    """In this process: the merge index of one partition holding ``open_cases`` open cases (and the
    outcomes of the reports that opened them, and who holds each), rebuilt as after a restart. Peak RSS
    growth, lookup time."""
    from services.dispatch.config import load_triage
    from services.dispatch.domain.changes import Change
    from services.dispatch.domain.triage import PartitionTriage
    from shared.city import load_city

    city = load_city(REPO_ROOT / "city")
    rules = load_triage(REPO_ROOT / "city" / "triage.yaml", city)
    rng = random.Random(3)
    at = datetime.now(UTC).timestamp()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    triage = PartitionTriage(rules)
    chunk: list[Change] = []
    for n in range(open_cases):
        case_id, report_id = uuid.UUID(int=rng.getrandbits(128)), uuid.UUID(int=rng.getrandbits(128))
        lon, lat = 120.15 + rng.uniform(-1.5, 1.5), 33.38 + rng.uniform(-1.2, 1.2)
        category = CATEGORIES[n % 3]  # the merging ones
        value = [str(report_id), category, lon, lat, at - rng.uniform(0, 3600)]
        chunk.append(Change(f"c:{case_id}".encode(), json.dumps(value).encode()))
        # Each open case is held by the grid worker it was assigned to (least-loaded assignment's counts).
        assignee = f"grid-worker-{n % 2_000}"
        outcome = ["opened", str(case_id), assignee, value[4], f"resident-{n}"]
        chunk.append(Change(f"r:{report_id}".encode(), json.dumps(outcome).encode()))
        chunk.append(Change(f"h:{case_id}".encode(), assignee.encode()))
        if len(chunk) >= 20_000:
            triage.restore(chunk)
            chunk = []
    triage.restore(chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    lookups = 20_000
    for _ in range(lookups):
        triage.index.match(
            category=CATEGORIES[0],
            lon=120.15 + rng.uniform(-1.5, 1.5),
            lat=33.38 + rng.uniform(-1.2, 1.2),
            at=at,
            radius_m=100,
            window_s=86_400,
        )
    assert len(triage.workload) == open_cases, "every open case is held by its assignee"
    return {
        "open_cases": len(triage.index),
        "peak_mb": (peak - before) / 1024,
        "match_us": (time.perf_counter() - started) / lookups * 1e6,
    }


def memory_in_child(open_cases: int) -> dict[str, float]:
    out = children.run(
        "the merge index's memory", ["-m", "bench.dispatch", "--memory-child", str(open_cases)]
    )
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result
