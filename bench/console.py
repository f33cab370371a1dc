"""The console's city map in headless chromium: time to the first full render of a synthetic 5,000-grid
city, against the sample city (22 grids) in the same run.

The build (services/console/web/dist) is served by a small HTTP server of this benchmark that answers the
console's reads with the city's grids and an empty case list: the figure is the browser's work (download,
parse, ECharts' projection and drawing of every polygon), not the services'. Each run opens a fresh
browser context; the figure is the median of the runs, from navigation start to ECharts' first
'finished' event of the map (``performance.mark('gridloop-map-rendered')`` in CityMap.vue).

    .venv/bin/python -m bench.console [--grids 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import children

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "services" / "console" / "web" / "dist"
SAMPLE_CITY = ROOT / "city"
ME = {
    "person_id": "bench",
    "name": "bench",
    "role": "supervisor",
    "unit_id": "city",
    "unit_name": "city",
    "jurisdiction": {"level": "city", "unit_id": "city"},
    "city_wide": True,
}


def _grids_in_force(city_dir: Path) -> bytes:
    """One feature per grid (the newest version), as the console service serves them."""
    collection = json.loads((city_dir / "grids.geojson").read_text())
    newest: dict[str, Any] = {}
    for feature in collection["features"]:
        if "effective_until" not in feature["properties"]:
            newest[feature["properties"]["grid_id"]] = feature
    return json.dumps({"type": "FeatureCollection", "features": list(newest.values())}).encode()


def _handler(grids: bytes) -> type[BaseHTTPRequestHandler]:
    answers: dict[str, tuple[str, bytes]] = {
        "/api/console/v1/me": ("application/json", json.dumps(ME).encode()),
        "/api/console/v1/city/grids": ("application/json", grids),
        "/api/console/v1/city/org": ("application/json", b"{}"),
        "/api/console/v1/city/red-map": ("application/json", b'{"places": []}'),
        "/api/intake/v1/categories": ("application/json", b"[]"),
        "/api/handling/v1/cases": ("application/json", b'{"items": [], "next_cursor": null}'),
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in answers:
                self._send(200, *answers[path])
            elif path.startswith("/api/handling/v1/stream/"):
                # An idle stream: the console waits on it as on a quiet city.
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b": bench\n\n")
                self.wfile.flush()
                threading.Event().wait(30)
            elif path.startswith("/api/"):
                self._send(404, "application/json", b'{"error": {"code": "not_found", "message": ""}}')
            else:
                file = DIST / path.lstrip("/")
                if not file.is_file():
                    file = DIST / "index.html"
                kind = "text/html" if file.suffix == ".html" else "text/javascript"
                kind = "text/css" if file.suffix == ".css" else kind
                self._send(200, kind, file.read_bytes())

    return Handler


@contextmanager
def _serving(city_dir: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(_grids_in_force(city_dir)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def measure(city_dir: Path, runs: int) -> list[dict[str, float]]:
    with _serving(city_dir) as url:
        out = children.run(
            "bench/console_map.mjs in chromium",
            [str(ROOT / "bench" / "console_map.mjs"), url, str(runs)],
            program="node",
        )
    results: list[dict[str, float]] = json.loads(out.strip().splitlines()[-1])
    return results


def console_figures(figure: Callable[..., Any], *, grids: int = 5000, runs: int = 5) -> list[Any]:
    children.run("the console's build", ["build"], program=str(ROOT / "scripts" / "console_web.sh"))
    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "city"
        children.run(
            "tools.make_synthetic_city",
            ["-m", "tools.make_synthetic_city", "--grids", str(grids), "--out", str(big)],
        )
        large = measure(big, runs)
    sample = measure(SAMPLE_CITY, runs)
    drawn = {int(run["regions"]) for run in large}
    assert drawn == {grids}, f"the map drew {drawn} regions, not {grids}"
    median = statistics.median(run["navigation_to_map_ms"] for run in large) / 1000
    chart = statistics.median(run["chart_ms"] for run in large) / 1000
    baseline = statistics.median(run["navigation_to_map_ms"] for run in sample) / 1000
    return [
        figure(f"console_map_first_render_{grids}_grids", median, "s", baseline, "the sample city"),
        figure(f"console_map_chart_init_to_finished_{grids}_grids", chart, "s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grids", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from bench.__main__ import Figure

    for item in console_figures(Figure, grids=args.grids, runs=args.runs):
        ratio = f"  (baseline {item.baseline:.3f} s, ratio {item.ratio:.1f})" if item.baseline else ""
        print(f"{item.name}: {item.value:.3f} {item.unit}{ratio}")


if __name__ == "__main__":
    main()
