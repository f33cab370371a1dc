"""Dispatch's own work per report, in this process: no Kafka, no faust (`--in-process`)."""

from __future__ import annotations

import time

from bench.dispatch.workload import grid_points, make_reports
from shared.events import encode
from shared.settings import REPO_ROOT


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
