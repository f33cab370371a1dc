"""What the dispatch bench feeds dispatch: a morning's reports over a city's grids, and the cities (the
sample city, or a synthetic one of a given number of grids)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import children
from shared.city import report_cell
from shared.events.reports import GeoPoint, ReportSubmitted
from shared.settings import REPO_ROOT
from tests.builders import report_submitted

CATEGORIES = (
    "city_appearance.garbage_overflow",
    "city_appearance.illegal_advertising",
    "public_facility.streetlight_out",
    "dispute.neighbour_noise",
    "safety.ebike_indoor_charging",
)


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


def make_city(grids: int, where: Path) -> Path:
    """The sample city for up to 20 grids, else a synthetic city of ``grids`` grids under ``where``."""
    if grids <= 20:
        return REPO_ROOT / "city"
    out = where / f"city-{grids}"
    children.run(
        "tools.make_synthetic_city",
        ["-m", "tools.make_synthetic_city", "--grids", str(grids), "--out", str(out)],
    )
    return out
