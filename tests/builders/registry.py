"""A city for tests of who may do what: the sample city, plus crews of people who each have a district
of their own.

Services take what a person may do from the registry, so every person a test acts as must be in it. A
crew is a district with one street, one community and two grids, a worker and a chief in each grid, the
community's and the street's officers, and the district's operator and supervisor: a test that takes a
fresh crew sees only its own cases, in a service that other tests share. ``Crews.next()`` hands each crew
out once per test session.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shared.settings import REPO_ROOT

SAMPLE = REPO_ROOT / "city"
# Far from the sample city (120.13–120.17 E, 33.36–33.40 N): no grid of a crew overlaps one of it.
_WEST, _SOUTH, _SIDE = 121.0, 34.0, 0.004


@dataclass(frozen=True)
class CrewMember:
    person_id: str
    role: str
    unit_id: str


@dataclass(frozen=True)
class CrewUnits:
    """One crew's district, street, community and people (``number`` tells it from the others)."""

    number: int

    @property
    def name(self) -> str:
        return f"t{self.number}"

    @property
    def district_id(self) -> str:
        return f"d-{self.name}"

    @property
    def street_id(self) -> str:
        return f"s-{self.name}"

    @property
    def community_id(self) -> str:
        return f"c-{self.name}"

    @property
    def grid_id(self) -> str:
        return f"g-{self.name}"

    @property
    def other_grid_id(self) -> str:
        return f"g-other-{self.name}"

    @property
    def worker(self) -> CrewMember:
        return CrewMember(f"w-{self.name}", "grid_worker", self.grid_id)

    @property
    def chief(self) -> CrewMember:
        return CrewMember(f"gc-{self.name}", "grid_chief", self.grid_id)

    @property
    def other_worker(self) -> CrewMember:
        return CrewMember(f"w-other-{self.name}", "grid_worker", self.other_grid_id)

    @property
    def other_chief(self) -> CrewMember:
        return CrewMember(f"gc-other-{self.name}", "grid_chief", self.other_grid_id)

    @property
    def operator(self) -> CrewMember:
        return CrewMember(f"op-{self.name}", "operator", self.district_id)

    @property
    def community_officer(self) -> CrewMember:
        return CrewMember(f"co-{self.name}", "community_officer", self.community_id)

    @property
    def street_officer(self) -> CrewMember:
        return CrewMember(f"so-{self.name}", "street_officer", self.street_id)

    @property
    def supervisor(self) -> CrewMember:
        return CrewMember(f"sv-{self.name}", "supervisor", self.district_id)

    @property
    def people(self) -> tuple[CrewMember, ...]:
        return (
            self.worker,
            self.chief,
            self.other_worker,
            self.other_chief,
            self.community_officer,
            self.street_officer,
            self.operator,
            self.supervisor,
        )


def write_city_with_crews(directory: Path, crews: int) -> Path:
    """The sample city's files in ``directory`` with ``crews`` crews added to its registry."""
    directory.mkdir(parents=True, exist_ok=True)
    for file in SAMPLE.iterdir():
        if file.is_file():
            shutil.copyfile(file, directory / file.name)
    city = _yaml(SAMPLE / "city.yaml")
    people = _yaml(SAMPLE / "people.yaml")
    grids = json.loads((SAMPLE / "grids.geojson").read_text(encoding="utf-8"))
    for crew in (CrewUnits(number) for number in range(crews)):
        city["districts"].append(_district(crew))
        people["people"] += [
            {"person_id": p.person_id, "name": f"测试{p.person_id}", "role": p.role, "unit_id": p.unit_id}
            for p in crew.people
        ]
        grids["features"] += [
            _square(crew, crew.grid_id, column=0),
            _square(crew, crew.other_grid_id, column=1),
        ]
    # JSON is YAML: the loader reads it as such, and fast.
    (directory / "city.yaml").write_text(json.dumps(city, ensure_ascii=False, default=str), encoding="utf-8")
    (directory / "people.yaml").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    (directory / "grids.geojson").write_text(json.dumps(grids, ensure_ascii=False), encoding="utf-8")
    return directory


def _yaml(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def _district(crew: CrewUnits) -> dict[str, Any]:
    community = {
        "community_id": crew.community_id,
        "name": f"Test community {crew.number}",
        "name_zh": f"测试社区{crew.number}",
        "grids": [crew.grid_id, crew.other_grid_id],
    }
    street = {
        "street_id": crew.street_id,
        "name": f"Test street {crew.number}",
        "name_zh": f"测试街道{crew.number}",
        "communities": [community],
    }
    return {
        "district_id": crew.district_id,
        "name": f"Test district {crew.number}",
        "name_zh": f"测试区{crew.number}",
        "streets": [street],
    }


def _square(crew: CrewUnits, grid_id: str, *, column: int) -> dict[str, Any]:
    west = _WEST + (crew.number % 100) * 2 * _SIDE + column * _SIDE
    south = _SOUTH + (crew.number // 100) * _SIDE
    ring = [[west, south], [west + _SIDE, south], [west + _SIDE, south + _SIDE], [west, south + _SIDE]]
    return {
        "type": "Feature",
        "properties": {
            "grid_id": grid_id,
            "name": f"Test grid {grid_id}",
            "name_zh": f"测试网格{grid_id}",
            "community_id": crew.community_id,
        },
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    }


class Crews:
    """Hands out each crew of a city once."""

    def __init__(self, directory: Path, count: int) -> None:
        self.directory = directory
        self._count = count
        self._next = 0
        self._lock = threading.Lock()

    def next(self) -> CrewUnits:
        with self._lock:
            if self._next >= self._count:
                raise RuntimeError(f"all {self._count} crews of the test city are taken: make more")
            crew = CrewUnits(self._next)
            self._next += 1
            return crew


# Enough for every test of a session that takes a crew (loading it costs a service ~0.4 s at start).
SESSION_CREWS = 240


@functools.cache
def session_crews() -> Crews:
    """The test session's city with crews, written once to a temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="gridloop-test-city-"))
    atexit.register(shutil.rmtree, directory, True)
    return Crews(write_city_with_crews(directory, SESSION_CREWS), SESSION_CREWS)
