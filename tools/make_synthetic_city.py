"""Write a valid synthetic city of any size, for scale tests and benchmarks.

    .venv/bin/python -m tools.make_synthetic_city --grids 100000 --out /tmp/city-100k

The same files as the sample city (``load_city`` reads it like any other): grids tile a jittered lattice
around 33.38N 120.15E, eight grids to a community, ten communities to a street, sixteen streets to a
district; every grid has a chief and one to three workers (with the sample's duty shifts), every community
an officer and a gazetteer entry; departments, categories and grid apps are the sample city's. Every file
is written as it is generated, one record at a time, so memory stays flat whatever the size.
Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

from tools.make_sample_city import (
    APPS,
    CATEGORIES,
    DEPARTMENTS,
    DUTY,
    GIVEN_NAMES,
    SURNAMES,
    _app,
    _group,
    _yaml,
)

GRIDS_PER_COMMUNITY, COMMUNITIES_PER_STREET, STREETS_PER_DISTRICT = 8, 10, 16
# A cell of ~0.37 km x 0.39 km; corners move up to a fifth of a cell, mid-edge points a tenth, so every
# ring stays simple and neighbours share their vertices exactly (no gaps, no overlaps).
CELL_LON, CELL_LAT = 0.0040, 0.0035
CORNER_JITTER, MID_JITTER = 0.2, 0.1
CENTRE_LON, CENTRE_LAT = 120.15, 33.38
# Community names: three characters, so 40³ = 64,000 distinct names (and so aliases and roads).
NAME_CHARS = "安宁和平福寿康泰兴盛华新东西南北文明光荣春秋金玉龙凤海河湖山青松柏梅兰竹菊德善永乐"
_NAME_STRIDE = 24_593  # coprime with 64,000: consecutive communities get unrelated-looking names


def layout(grids: int) -> tuple[int, int]:
    """Columns and rows of the lattice: as square as possible, rows filled west to east."""
    cols = math.ceil(math.sqrt(grids))
    return cols, math.ceil(grids / cols)


def _unit(i: int, j: int, salt: int) -> float:
    """A deterministic pseudo-random number in [-1, 1) for lattice point (i, j)."""
    h = (i * 73_856_093) ^ (j * 19_349_663) ^ (salt * 83_492_791)
    h = (h * 2_654_435_761) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 2_246_822_519) & 0xFFFFFFFF
    return (h & 0xFFFFFF) / 0x800000 - 1.0


def _vertex(i: int, j: int, west: float, north: float, seed: int) -> list[float]:
    """Point (i, j) of the half-cell lattice: even/even are corners, the others mid-edge points."""
    jitter = CORNER_JITTER if i % 2 == 0 and j % 2 == 0 else MID_JITTER
    lon = west + i / 2 * CELL_LON + _unit(i, j, seed) * jitter * CELL_LON
    lat = north - j / 2 * CELL_LAT + _unit(i, j, seed + 1) * jitter * CELL_LAT
    return [round(lon, 7), round(lat, 7)]


def cell_ring(col: int, row: int, west: float, north: float, seed: int) -> list[list[float]]:
    i, j = 2 * col, 2 * row
    # Counter-clockwise (RFC 7946): south-west corner, along the south edge, up the east edge, ...
    points = [
        (i, j + 2),
        (i + 1, j + 2),
        (i + 2, j + 2),
        (i + 2, j + 1),
        (i + 2, j),
        (i + 1, j),
        (i, j),
        (i, j + 1),
    ]
    ring = [_vertex(a, b, west, north, seed) for a, b in points]
    return [*ring, ring[0]]


def community_name(index: int) -> str:
    n = (index * _NAME_STRIDE) % len(NAME_CHARS) ** 3
    base = len(NAME_CHARS)
    return NAME_CHARS[n // base**2] + NAME_CHARS[n // base % base] + NAME_CHARS[n % base]


def person_name(index: int) -> str:
    return (
        SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[(index * 7 + index // len(SURNAMES)) % len(GIVEN_NAMES)]
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Writer:
    """Walks the org tree, streaming grids and people to their files as it goes; the tree itself (ids
    and names only) is small enough to keep and write at the end.

    The YAML files are written as JSON, which is YAML too, one record to a line: the loader reads JSON
    text with a JSON parser, a hundred times faster than a YAML parser on 300,000 people."""

    def __init__(self, out: Path, grids: int, seed: int) -> None:
        self.grids, self.seed = grids, seed
        self.cols, rows = layout(grids)
        self.west = CENTRE_LON - self.cols * CELL_LON / 2
        self.north = CENTRE_LAT + rows * CELL_LAT / 2
        self.out = out
        self.names = 0
        self.first_person = self.first_grid = True
        self.gazetteer: list[dict[str, Any]] = []

    def write(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        with (
            (self.out / "grids.geojson").open("w", encoding="utf-8") as self.geo,
            (self.out / "people.yaml").open("w", encoding="utf-8") as self.people,
        ):
            self.geo.write('{"type":"FeatureCollection","features":[\n')
            self.people.write('{"people":[\n')
            districts = self._districts()
            departments = self._departments()
            self._person("sv-synthetic", "supervisor", "synthetic")
            self.geo.write("\n]}\n")
            self.people.write("\n]}\n")
        city = {
            "city_id": "synthetic",
            "name": f"Synthetic city of {self.grids} grids",
            "name_zh": "合成市",
            "timezone": "Asia/Shanghai",
            "version": f"synthetic-{self.grids}-{self.seed}",
            "effective_from": "2024-01-01",
            "districts": districts,
            "departments": departments,
        }
        (self.out / "city.yaml").write_text(_lines(city, "districts", "departments"), "utf-8")
        gazetteer = {"communities": self.gazetteer}
        (self.out / "gazetteer.yaml").write_text(_lines(gazetteer, "communities"), "utf-8")
        categories = {"groups": [_group(*group) for group in CATEGORIES]}
        (self.out / "categories.yaml").write_text(_yaml(categories, "The sample city's catalogue."), "utf-8")
        apps = {"apps": [_app(*app) for app in APPS]}
        (self.out / "apps.yaml").write_text(_yaml(apps, "The sample city's grid apps (dev keys)."), "utf-8")

    def _districts(self) -> list[dict[str, Any]]:
        streets = _ceil(self.grids, GRIDS_PER_COMMUNITY * COMMUNITIES_PER_STREET)
        districts = []
        for d in range(_ceil(streets, STREETS_PER_DISTRICT)):
            district_id = f"d-{d + 1:03d}"
            first = d * STREETS_PER_DISTRICT
            entries = [self._street(s) for s in range(first, min(first + STREETS_PER_DISTRICT, streets))]
            self._person(f"op-{d + 1:03d}", "operator", district_id)
            self._person(f"sv-{d + 1:03d}", "supervisor", district_id)
            districts.append(
                {
                    "district_id": district_id,
                    "name": f"District {d + 1}",
                    "name_zh": f"第{d + 1}区",
                    "streets": entries,
                }
            )
        return districts

    def _street(self, s: int) -> dict[str, Any]:
        street_id = f"s-{s + 1:04d}"
        communities = _ceil(self.grids, GRIDS_PER_COMMUNITY)
        first = s * COMMUNITIES_PER_STREET
        entries = [self._community(c) for c in range(first, min(first + COMMUNITIES_PER_STREET, communities))]
        for n in (1, 2):
            self._person(f"so-{s + 1:04d}-{n}", "street_officer", street_id)
        return {
            "street_id": street_id,
            "name": f"Street {s + 1}",
            "name_zh": f"第{s + 1}街道",
            "communities": entries,
        }

    def _community(self, c: int) -> dict[str, Any]:
        community_id, name = f"c-{c + 1:05d}", community_name(c)
        first = c * GRIDS_PER_COMMUNITY
        grid_ids = []
        for g in range(first, min(first + GRIDS_PER_COMMUNITY, self.grids)):
            grid_ids.append(self._grid(g, community_id, name))
        self._person(f"co-{c + 1:05d}", "community_officer", community_id)
        self.gazetteer.append(
            {
                "community_id": community_id,
                "aliases": [f"{name}社区", f"{name}居委会"],
                "roads": [f"{name}路", f"{name}大街"],
            }
        )
        return {
            "community_id": community_id,
            "name": f"Community {c + 1}",
            "name_zh": f"{name}社区",
            "grids": grid_ids,
        }

    def _grid(self, g: int, community_id: str, name: str) -> str:
        grid_id = f"g-{g + 1:06d}"
        col, row = g % self.cols, g // self.cols
        feature = {
            "type": "Feature",
            "properties": {
                "grid_id": grid_id,
                "name": f"Grid {g + 1}",
                "name_zh": f"{name}社区第{g % GRIDS_PER_COMMUNITY + 1}网格",
                "community_id": community_id,
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [cell_ring(col, row, self.west, self.north, self.seed)],
            },
        }
        self.geo.write(("" if self.first_grid else ",\n") + _json(feature))
        self.first_grid = False
        self._person(f"gc-{g + 1:06d}", "grid_chief", grid_id)
        for nth in range(1 + (g * 7 + self.seed) % 3):
            self._person(f"w-{g + 1:06d}-{nth + 1}", "grid_worker", grid_id, DUTY[nth % len(DUTY)])
        return grid_id

    def _departments(self) -> list[dict[str, Any]]:
        owned: dict[str, list[str]] = {}
        for group_id, _, _, leaves in CATEGORIES:
            for leaf, *values in leaves:
                if values[4] is not None:
                    owned.setdefault(str(values[4]), []).append(f"{group_id}.{leaf}")
        departments = []
        for dept, name, zh in DEPARTMENTS:
            departments.append(
                {
                    "department_id": f"dept-{dept}",
                    "name": name,
                    "name_zh": zh,
                    "categories": owned.get(dept, []),
                }
            )
            self._person(f"dh-{dept}", "department_handler", f"dept-{dept}")
        return departments

    def _person(
        self, person_id: str, role: str, unit_id: str, duty: list[dict[str, Any]] | None = None
    ) -> None:
        self.names += 1
        person: dict[str, Any] = {
            "person_id": person_id,
            "name": person_name(self.names),
            "role": role,
            "unit_id": unit_id,
        }
        if duty:
            person["duty"] = duty
        self.people.write(("" if self.first_person else ",\n") + _json(person))
        self.first_person = False


def _lines(document: dict[str, Any], *lists: str) -> str:
    """A JSON object with each item of the named lists on a line of its own."""
    fields = [f"{_json(key)}:{_json(value)}" for key, value in document.items() if key not in lists]
    for key in lists:
        items = ",\n".join(_json(item) for item in document[key])
        fields.append(f"{_json(key)}:[\n{items}\n]")
    return "{" + ",\n".join(fields) + "}\n"


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def write(out: Path, grids: int, *, seed: int = 1) -> None:
    """Write a synthetic city of ``grids`` grids into directory ``out``."""
    if grids < 1:
        raise ValueError("a city needs at least one grid")
    _Writer(out, grids, seed).write()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grids", type=int, required=True, help="how many grids (e.g. 100000)")
    parser.add_argument("--out", type=Path, required=True, help="the directory to write the city files into")
    parser.add_argument("--seed", type=int, default=1, help="varies the jitter and staffing (default 1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    write(args.out, args.grids, seed=args.seed)
    size = sum(path.stat().st_size for path in args.out.iterdir()) / 1e6
    print(
        f"{args.grids} grids written to {args.out} ({size:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
