"""Dispatch at scale: reports per second through `python -m services.dispatch` on the real broker, against
a raw aiokafka consume-and-produce loop through the same broker in the same run; in a city of 100 grids and
one of 100,000 (tools/make_synthetic_city.py); and the memory of 1,000,000 open cases in the merge index.

    .venv/bin/python -m bench.dispatch              # alone: prints the figures, writes .bench/dispatch.json
    .venv/bin/python -m bench.dispatch --in-process   # dispatch's own µs a report, no Kafka, no faust
    make bench                                        # the same figures, among the others

The broker is GRIDLOOP_KAFKA_BOOTSTRAP (else 127.0.0.1:$KAFKA_PORT, else :9092); each run uses topics of
its own (a prefix) and deletes them afterwards. A backlog of reports is produced first, then the consumer
starts; the rate is counted from its first output to its last, so start-up and recovery are not in it.
Goals: dispatch ≥ 0.3 × the raw loop; 100,000 grids ≥ 0.8 × 100 grids.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench import children
from bench.__main__ import Figure, free_port, print_table
from shared.city import report_cell
from shared.events import encode
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.kafka import ensure_topics, make_producer
from shared.settings import REPO_ROOT
from shared.topics import CASE_EVENTS, REPORTS
from tests.builders import report_submitted

RESULTS = Path(".bench/dispatch.json")
SIZES = (100, 100_000)
OUTCOMES = frozenset(
    {b"gridloop.case.opened.v1", b"gridloop.case.report_merged.v1", b"gridloop.report.voided.v1"}
)
CATEGORIES = (
    "city_appearance.garbage_overflow",
    "city_appearance.illegal_advertising",
    "public_facility.streetlight_out",
    "dispute.neighbour_noise",
    "safety.ebike_indoor_charging",
)


def bootstrap() -> str:
    return os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")


def grid_points(city_dir: Path) -> list[tuple[float, float]]:
    """A point inside every grid: the mean of its ring's vertices (the cells are convex-ish)."""
    collection = json.loads((city_dir / "grids.geojson").read_text())
    points = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
        ring = ring[:-1]
        points.append((sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)))
    return points


def make_reports(points: list[tuple[float, float]], count: int, seed: int = 7) -> list[ReportSubmitted]:
    """A morning's mix: most reports at a spot of their own, three in ten again at an earlier spot."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    spots: list[tuple[GeoPoint, str]] = []
    reports = []
    for n in range(count):
        if spots and rng.random() < 0.3:
            where, category = rng.choice(spots)
        else:
            lon, lat = rng.choice(points)
            where = GeoPoint(lon=lon + rng.uniform(-5e-4, 5e-4), lat=lat + rng.uniform(-5e-4, 5e-4))
            category = rng.choice(CATEGORIES)
            spots.append((where, category))
        reports.append(
            report_submitted(
                reporter_id=f"resident-{n}",
                category=category,
                location=where,
                occurred_at=now - timedelta(minutes=5),
                submitted_at=now + timedelta(milliseconds=n),
                cell=report_cell(where.lon, where.lat),
            )
        )
    return reports


async def produce_backlog(kafka: str, topic: str, reports: list[ReportSubmitted]) -> None:
    producer = make_producer(kafka, client_id="bench-dispatch-backlog")
    await producer.start()
    try:
        pending = []
        for report in reports:
            record = encode(report, source="/gridloop/intake", event_id=report.report_id)
            pending.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_loop_rate(kafka: str, source: str, sink: str, count: int) -> float:
    """Consume the backlog and produce one record per message, acks awaited per batch, then commit."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=kafka,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = make_producer(kafka, client_id="bench-raw")
    await asyncio.gather(consumer.start(), producer.start())
    done, started = 0, None
    try:
        while done < count:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            messages = [m for batch in batches.values() for m in batch]
            if not messages:
                continue
            started = started or time.perf_counter()
            sends = [
                await producer.send(sink, m.value, key=m.key, headers=list(m.headers or ())) for m in messages
            ]
            await asyncio.gather(*sends)
            await consumer.commit()
            done += len(messages)
        assert started is not None
        return done / (time.perf_counter() - started)
    finally:
        await asyncio.gather(consumer.stop(), producer.stop())


async def count_outcomes(
    kafka: str, topic: str, count: int, within: float, types: frozenset[bytes] = OUTCOMES
) -> float:
    """Records of ``types`` per second on ``topic``, from the first to the ``count``-th."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen, first, last = 0, None, None
        deadline = time.monotonic() + within
        while seen < count and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
                for message in batch:
                    if dict(message.headers or ()).get("ce_type") in types:
                        seen += 1
                        first = first or time.perf_counter()
                        last = time.perf_counter()
        if seen < count or first is None or last is None or last == first:
            raise RuntimeError(f"dispatch produced {seen} of {count} outcomes within {within:.0f} s")
        return seen / (last - first)
    finally:
        await consumer.stop()


async def dispatch_rate(kafka: str, city_dir: Path, reports: list[ReportSubmitted], run_dir: Path) -> float:
    prefix = f"bench-dispatch-{uuid.uuid4().hex[:8]}."
    await ensure_topics(kafka, partitions=6, replication_factor=1, prefix=prefix)
    await produce_backlog(kafka, prefix + REPORTS.name, reports)
    env = children.service_env(
        {
            "GRIDLOOP_RUN_DIR": str(run_dir),
            "GRIDLOOP_CITY_DIR": str(city_dir),
            "GRIDLOOP_DISPATCH_TRIAGE_FILE": str(REPO_ROOT / "city" / "triage.yaml"),
            "GRIDLOOP_DISPATCH_KAFKA_BOOTSTRAP": kafka,
            "GRIDLOOP_DISPATCH_TOPIC_PREFIX": prefix,
            "GRIDLOOP_DISPATCH_GROUP_ID": f"bench-{prefix[:-1]}",
            "GRIDLOOP_DISPATCH_PORT": str(free_port()),
            "GRIDLOOP_DISPATCH_LOG_LEVEL": "WARNING",
        }
    )
    dispatch = await children.start(
        "python -m services.dispatch", ["-m", "services.dispatch"], env=env, log=run_dir / "dispatch.log"
    )
    try:
        outcomes = count_outcomes(kafka, prefix + CASE_EVENTS.name, len(reports), within=600)
        return await children.watching(outcomes, dispatch)
    finally:
        await dispatch.stop()
        await delete_topics(kafka, prefix)


async def faust_floor_rate(kafka: str, reports: list[ReportSubmitted], run_dir: Path) -> float:
    """bench.faust_passthrough over the same backlog: faust with dispatch's batching, no work."""
    prefix = f"bench-floor-{uuid.uuid4().hex[:8]}."
    await ensure_topics(kafka, partitions=6, replication_factor=1, prefix=prefix)
    await produce_backlog(kafka, prefix + REPORTS.name, reports)
    args = [kafka, prefix + REPORTS.name, prefix + CASE_EVENTS.name, f"bench-{prefix[:-1]}", str(run_dir)]
    floor = await children.start(
        "python -m bench.faust_passthrough",
        ["-m", "bench.faust_passthrough", *args],
        log=run_dir / "floor.log",
    )
    try:
        submitted = frozenset({ReportSubmitted.event_type.encode()})
        outcomes = count_outcomes(kafka, prefix + CASE_EVENTS.name, len(reports), 600, submitted)
        return await children.watching(outcomes, floor)
    finally:
        await floor.stop()
        await delete_topics(kafka, prefix)


async def delete_topics(kafka: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="bench-dispatch-cleanup")
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix) or prefix[:-1] in name]
        await admin.delete_topics(names)
    finally:
        await admin.close()


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


def in_process(count: int) -> dict[str, float]:
    """Dispatch's own work per report, without Kafka or faust: decode → triage → encode, in this process,
    over the bench's reports in the sample city, against one partition state per reports partition."""
    from services.dispatch.config import load_triage
    from services.dispatch.handlers import handle_report_submitted
    from services.dispatch.state import TriageStates
    from shared.city import load_city
    from shared.events import decode
    from shared.worktime import load_worktime

    city_dir = REPO_ROOT / "city"
    city = load_city(city_dir)
    worktime = load_worktime(city_dir, city=city)
    rules = load_triage(city_dir / "triage.yaml", city)
    records = [
        encode(r, source="/gridloop/intake", event_id=r.report_id)
        for r in make_reports(grid_points(city_dir), count)
    ]
    states = TriageStates(rules)
    started = time.perf_counter()
    for n, record in enumerate(records):
        envelope = decode(record.headers, record.value)
        handle_report_submitted(
            envelope, city=city, rules=rules, triage=states[n % 6], sla_scale=1.0, worktime=worktime
        )
    elapsed = time.perf_counter() - started
    return {"reports": count, "us_per_report": elapsed / count * 1e6}


def memory_in_child(open_cases: int) -> dict[str, float]:
    out = children.run(
        "the merge index's memory", ["-m", "bench.dispatch", "--memory-child", str(open_cases)]
    )
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def make_city(grids: int, where: Path) -> Path:
    if grids <= 20:
        return REPO_ROOT / "city"
    out = where / f"city-{grids}"
    children.run(
        "tools.make_synthetic_city",
        ["-m", "tools.make_synthetic_city", "--grids", str(grids), "--out", str(out)],
    )
    return out


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=20_000, help="reports per run")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="city sizes in grids")
    parser.add_argument("--open-cases", type=int, default=1_000_000, help="0 skips the memory figure")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="only dispatch's own work per report (decode, triage, encode), without Kafka or faust",
    )
    args = parser.parse_args(argv)
    if args.in_process:
        print(json.dumps(in_process(args.reports)))
        return
    if args.memory_child:
        print(json.dumps(index_memory(args.memory_child)))
        return
    sizes = tuple(int(size) for size in args.sizes.split(","))
    figures = dispatch_figures(reports=args.reports, sizes=sizes, open_cases=args.open_cases)
    print_table(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
