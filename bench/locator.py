"""Locating at scale: GridLocator.locate() per second in a city of 100 grids and one of 100,000.

    .venv/bin/python -m bench.locator            # alone: prints the figures, writes .bench/locator.json
    make bench                                   # the same figures, among the others

Both cities come from tools/make_synthetic_city.py. Each is loaded in a child process of its own, as a
service would load it, so load time and peak memory are its own; there the same number of random points
inside the city (drawn in its bounding box, keeping those in a grid) are located, best of five passes, and
the pair of children runs twice (best of both). The STR-tree keeps a lookup's cost nearly flat in the
number of grids: the goal is a ratio of at least 0.8. A stricter second figure times both locators in
one process, in alternate passes: there the small city's few polygons stay in the CPU cache between its
passes while the large one's never do, which is what is left of the difference.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (100, 100_000)
POINTS = 50_000
RESULTS = Path(".bench/locator.json")


def measure(city_dir: Path, points: int, baseline_dir: Path | None = None) -> dict[str, float]:
    """In this process: load the city (timed, with the peak memory it took), then time locate() over
    ``points`` random points inside it. With ``baseline_dir``, that city's locator is timed too, in
    alternate passes with this one, so that both see the same machine (best of five passes each)."""
    from shared.city import load_city

    started = time.perf_counter()
    city = load_city(city_dir)
    figures = {
        "grids": len(city.grids),
        "people": len(city.people),
        "load_seconds": time.perf_counter() - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    cities = {"": city} if baseline_dir is None else {"": city, "baseline_": load_city(baseline_dir)}
    runs = {prefix: (c.locator.locate, _points_inside(c, points)) for prefix, c in cities.items()}
    best = dict.fromkeys(runs, 0.0)
    for _ in range(5):
        for prefix, (locate, inside) in runs.items():
            started = time.perf_counter()
            for lon, lat in inside:
                locate(lon, lat)
            best[prefix] = max(best[prefix], len(inside) / (time.perf_counter() - started))
    return figures | {f"{prefix}locates_per_second": rate for prefix, rate in best.items()}


def _points_inside(city: Any, points: int, seed: int = 7) -> list[tuple[float, float]]:
    """Random points in the city's bounding box that lie in a grid (points outside would time the
    nearest-grid fallback instead, and a small city has relatively more of them)."""
    import numpy as np
    import shapely

    west, south, east, north = shapely.total_bounds(np.array([grid.polygon for grid in city.grids]))
    rng = random.Random(seed)
    inside: list[tuple[float, float]] = []
    while len(inside) < points:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if city.locator.locate(lon, lat) is not None:
            inside.append((lon, lat))
    return inside


def measure_in_child(city_dir: Path, points: int, baseline_dir: Path | None = None) -> dict[str, float]:
    # Imported here, as the city is: a measuring child's peak memory is its city's, not the bench's modules'.
    from bench import children

    command = ["-m", "bench.locator", "--measure", str(city_dir), "--points", str(points)]
    command += ["--baseline", str(baseline_dir)] if baseline_dir is not None else []
    out = children.run(f"bench.locator in a city of {city_dir.name} grids", command)
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def locator_figures(figure: Any, *, sizes: tuple[int, int] = SIZES, points: int = POINTS) -> list[Any]:
    """The locator's figures, made with ``figure`` (bench.__main__.Figure: name, value, unit, baseline,
    baseline_name), so that `make bench` writes them with the rest."""
    from tools.make_synthetic_city import write

    small, large = sizes
    generated: dict[int, float] = {}
    runs: dict[int, list[dict[str, float]]] = {small: [], large: []}
    with tempfile.TemporaryDirectory(prefix="gridloop-bench-city-") as tmp:
        for size in sizes:
            print(f"locator: writing a synthetic city of {size:,} grids …", file=sys.stderr)
            started = time.perf_counter()
            write(Path(tmp) / str(size), size)
            generated[size] = time.perf_counter() - started
        # Two rounds of small, large: a busy machine slows one child, rarely the same size twice. The
        # last child also times the small city's locator beside its own, in alternate passes.
        for last in (False, True):
            for size in sizes:
                print(f"locator: loading and locating in {size:,} grids …", file=sys.stderr)
                baseline = Path(tmp) / str(small) if last and size == large else None
                runs[size].append(measure_in_child(Path(tmp) / str(size), points, baseline))
    a = _best(runs[small])
    b = _best(runs[large])
    same_process = runs[large][-1]
    return [
        figure(
            f"locator_locates_per_second_{large}_grids",
            b["locates_per_second"],
            "1/s",
            a["locates_per_second"],
            f"locator_locates_per_second_{small}_grids",
        ),
        figure(
            f"locator_locates_per_second_{large}_grids_same_process",
            same_process["locates_per_second"],
            "1/s",
            same_process["baseline_locates_per_second"],
            f"locator_locates_per_second_{small}_grids_same_process",
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
        figure(
            f"city_generate_seconds_{large}_grids",
            generated[large],
            "s",
            generated[small],
            f"city_generate_seconds_{small}_grids",
        ),
    ]


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        "locates_per_second": max(run["locates_per_second"] for run in runs),
        "load_seconds": min(run["load_seconds"] for run in runs),
        "peak_rss_mb": min(run["peak_rss_mb"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process's part
    parser.add_argument("--baseline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--points", type=int, default=POINTS, help="points located per pass")
    parser.add_argument("--grids", type=int, nargs=2, default=SIZES, metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.points, args.baseline)))
        return
    from bench.__main__ import Figure, write_results

    write_results(locator_figures(Figure, sizes=tuple(args.grids), points=args.points), RESULTS)


if __name__ == "__main__":
    main()
