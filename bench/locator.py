"""Locating at scale: GridLocator.locate() per second in a city of 100 grids and one of 100,000.

    .venv/bin/python -m bench.locator            # alone: prints the figures, writes .bench/locator.json
    make bench                                   # the same figures, among the others

Both cities come from tools/make_synthetic_city.py. Each is loaded in a child process of its own, so its
load time and peak memory are its own too; there the same number of random points inside the city
(drawn in its bounding box, keeping those in a grid) are located, best of three passes. The STR-tree
keeps a lookup's cost nearly flat in the number of grids: the goal is a ratio of at least 0.8.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (100, 100_000)
POINTS = 50_000
RESULTS = Path(".bench/locator.json")


def measure(city_dir: Path, points: int, seed: int = 7) -> dict[str, float]:
    """In this process: load the city, then time locate() over ``points`` random points inside it."""
    import numpy as np
    import shapely

    from shared.city import load_city

    started = time.perf_counter()
    city = load_city(city_dir)
    load_seconds = time.perf_counter() - started
    locate = city.locator.locate
    west, south, east, north = shapely.total_bounds(np.array([grid.polygon for grid in city.grids]))
    rng = random.Random(seed)
    inside: list[tuple[float, float]] = []
    while len(inside) < points:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if locate(lon, lat) is not None:
            inside.append((lon, lat))
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for lon, lat in inside:
            locate(lon, lat)
        best = max(best, len(inside) / (time.perf_counter() - started))
    return {
        "grids": len(city.grids),
        "people": len(city.people),
        "load_seconds": load_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "locates_per_second": best,
    }


def measure_in_child(city_dir: Path, points: int) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.locator", "--measure", str(city_dir), "--points", str(points)]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def locator_figures(figure: Any, *, sizes: tuple[int, int] = SIZES, points: int = POINTS) -> list[Any]:
    """The locator's figures, made with ``figure`` (bench.__main__.Figure: name, value, unit, baseline,
    baseline_name), so that `make bench` writes them with the rest."""
    from tools.make_synthetic_city import write

    small, large = sizes
    results = {}
    with tempfile.TemporaryDirectory(prefix="gridloop-bench-city-") as tmp:
        for size in sizes:
            print(f"locator: a synthetic city of {size:,} grids …", file=sys.stderr)
            started = time.perf_counter()
            write(Path(tmp) / str(size), size)
            generated = time.perf_counter() - started
            results[size] = {**measure_in_child(Path(tmp) / str(size), points), "generate_seconds": generated}
    a, b = results[small], results[large]
    return [
        figure(
            f"locator_locates_per_second_{large}_grids",
            b["locates_per_second"],
            "1/s",
            a["locates_per_second"],
            f"locator_locates_per_second_{small}_grids",
        ),
        figure(
            f"city_load_seconds_{large}_grids",
            b["load_seconds"],
            "s",
            a["load_seconds"],
            f"city_load_seconds_{small}_grids",
        ),
        figure(
            f"city_load_peak_rss_{large}_grids",
            b["peak_rss_mb"],
            "MB",
            a["peak_rss_mb"],
            f"city_load_peak_rss_{small}_grids",
        ),
        figure(f"city_generate_seconds_{large}_grids", b["generate_seconds"], "s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process's part
    parser.add_argument("--points", type=int, default=POINTS, help="points located per pass")
    parser.add_argument("--grids", type=int, nargs=2, default=SIZES, metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.points)))
        return
    from bench.__main__ import Figure, print_table

    figures = locator_figures(Figure, sizes=tuple(args.grids), points=args.points)
    print_table(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
