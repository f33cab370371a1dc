# ruff: noqa: E501  (the data tables read best one record per line)
"""Write the sample city (modelled on Yancheng, Jiangsu) into city/.

    .venv/bin/python tools/make_sample_city.py [OUT_DIR]

Deterministic: the same script writes byte-identical files. The grids are a jittered lattice of cells
around 33.38N 120.15E: neighbouring cells share their corner and mid-edge vertices exactly, so the grid
polygons tile the city without gaps or overlaps. Unit and person names are illustrative, not an official
roster. README.md is written by hand; keep its dev keys in step with DEV_KEY_PREFIX.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = 20240101
DEV_KEY_PREFIX = "dev-key-"

# The lattice: COLS x ROWS cells, row 0 in the north, each ~0.84 km x 0.83 km before jitter.
COLS, ROWS = 5, 4
WEST, NORTH = 120.1275, 33.395
CELL_LON, CELL_LAT = 0.0090, 0.0075
JITTER_LON, JITTER_LAT = 0.0016, 0.0013
KM2_PER_DEG2 = 111.32 * 111.32 * 0.8350  # cos(33.38 degrees)

# district -> street -> community -> the lattice cells (col, row) of its grids, in grid order.
ORG: list[tuple[str, str, str, list[tuple[str, str, str, list[tuple[str, str, list[tuple[int, int]]]]]]]] = [
    ("tinghu", "Tinghu", "亭湖区", [
        ("wenfeng", "Wenfeng", "文峰街道", [
            ("yulong", "毓龙社区", [(2, 0), (2, 1)]),
            ("qingnian", "青年社区", [(3, 0), (4, 0), (3, 1)]),
            ("shiji", "世纪社区", [(4, 1)]),
        ]),
        ("xianfeng", "Xianfeng", "先锋街道", [
            ("xinyang", "新洋社区", [(3, 2), (3, 3)]),
            ("shuangyuan", "双元社区", [(4, 2), (4, 3)]),
        ]),
    ]),
    ("yandu", "Yandu", "盐都区", [
        ("xindu", "Xindu", "新都街道", [
            ("kaifang", "开放社区", [(0, 0), (0, 1)]),
            ("yingbin", "迎宾社区", [(1, 0)]),
            ("huanghai", "黄海社区", [(1, 1)]),
        ]),
        ("panhuang", "Panhuang", "潘黄街道", [
            ("yangxu", "仰徐社区", [(0, 2), (0, 3), (1, 3)]),
            ("wanjia", "万家社区", [(1, 2)]),
            ("jingang", "金港社区", [(2, 2), (2, 3)]),
        ]),
    ]),
]  # fmt: skip

DEPARTMENTS = [
    ("urban-management", "Urban management bureau", "城市管理局"),
    ("housing", "Housing and urban-rural development bureau", "住房和城乡建设局"),
    ("market-regulation", "Market regulation bureau", "市场监督管理局"),
    ("public-security", "Public security bureau", "公安局"),
    ("emergency", "Emergency management bureau", "应急管理局"),
    ("environment", "Ecology and environment bureau", "生态环境局"),
    ("water", "Water affairs bureau", "水务局"),
    ("civil-affairs", "Civil affairs bureau", "民政局"),
    ("hrss", "Human resources and social security bureau", "人力资源和社会保障局"),
    ("utilities", "Public utilities bureau", "公用事业管理局"),
]

# group, name, name_zh, then leaves: (leaf, name, name_zh, nature, tier, department, priority,
# resolve_within, close_within). Normal limits are in (working) days, urgent ones in wall-clock time.
CATEGORIES: list[tuple[str, str, str, list[tuple[str | None, ...]]]] = [
    ("city_appearance", "City appearance", "市容环境", [
        ("garbage_overflow", "Garbage overflow", "垃圾满溢", "event", "grid", None, "normal", "P1D", "P2D"),
        ("illegal_advertising", "Illegal posters and graffiti", "乱张贴乱涂写", "event", "grid", None, "normal", "P2D", "P3D"),
        ("street_vending", "Street vending blocking the road", "占道经营", "event", "community", "urban-management", "normal", "P2D", "P3D"),
        ("abandoned_vehicle", "Abandoned vehicle", "僵尸车", "event", "street", "public-security", "normal", "P5D", "P7D"),
    ]),
    ("public_facility", "Public facilities", "公共设施", [
        ("manhole_cover", "Broken or missing manhole cover", "井盖破损", "public_facility", "district", "utilities", "urgent", "PT2H", "PT24H"),
        ("streetlight_out", "Streetlight out", "路灯不亮", "public_facility", "district", "utilities", "normal", "P3D", "P5D"),
        ("road_damage", "Damaged road surface", "道路破损", "public_facility", "district", "housing", "normal", "P5D", "P7D"),
        ("water_main_burst", "Burst water main", "供水管道爆裂", "public_facility", "district", "water", "urgent", "PT2H", "PT24H"),
    ]),
    ("safety", "Safety hazards", "安全隐患", [
        ("fire_exit_blocked", "Fire exit blocked", "消防通道堵塞", "hazard", "community", "emergency", "urgent", "PT4H", "PT24H"),
        ("gas_leak", "Gas leak", "燃气泄漏", "hazard", "district", "utilities", "urgent", "PT30M", "PT12H"),
        ("ebike_indoor_charging", "E-bike charged indoors or by trailing cable", "电动车违规充电", "hazard", "grid", None, "normal", "P1D", "P2D"),
        ("unsafe_building", "Unsafe building", "危房隐患", "hazard", "district", "housing", "normal", "P3D", "P5D"),
        ("food_safety", "Food safety hazard", "食品安全隐患", "hazard", "district", "market-regulation", "normal", "P2D", "P3D"),
    ]),
    ("people", "People's livelihood", "民生服务", [
        ("elderly_alone_help", "Elderly resident living alone needs help", "独居老人求助", "need", "grid", None, "urgent", "PT2H", "PT24H"),
        ("subsistence_allowance", "Subsistence allowance application", "低保救助申请", "need", "community", "civil-affairs", "normal", "P5D", "P10D"),
        ("employment_help", "Employment assistance", "就业援助", "need", "community", "hrss", "normal", "P5D", "P10D"),
        ("wage_arrears", "Unpaid wages", "拖欠工资", "dispute", "district", "hrss", "normal", "P5D", "P10D"),
    ]),
    ("dispute", "Disputes", "矛盾纠纷", [
        ("neighbour_noise", "Noise dispute between neighbours", "邻里噪音纠纷", "dispute", "grid", None, "normal", "P2D", "P3D"),
        ("property_management", "Dispute with a property company", "物业纠纷", "dispute", "community", "housing", "normal", "P3D", "P5D"),
        ("family_conflict", "Family conflict", "家庭矛盾", "dispute", "community", None, "normal", "P3D", "P5D"),
    ]),
    ("environment", "Environment", "生态环境", [
        ("illegal_discharge", "Illegal discharge of sewage or waste", "违法排污", "hazard", "district", "environment", "normal", "P1D", "P3D"),
        ("open_burning", "Open burning", "露天焚烧", "event", "community", "environment", "urgent", "PT2H", "PT24H"),
        ("black_odorous_water", "Black and odorous water", "黑臭水体", "event", "district", "water", "normal", "P5D", "P10D"),
    ]),
]  # fmt: skip

APPS = [
    ("resident-app", "Wo De Yancheng resident app", "我的盐城", ["resident", "unit"]),
    ("patrol-app", "Grid worker patrol app", "网格员巡查通", ["grid_worker"]),
    ("rider-app", "Rider vanguard app", "骑手先锋随手拍", ["delivery_rider"]),
    ("property-app", "Red property app", "红色物业", ["property_company"]),
    ("hotline-12345", "12345 hotline bridge", "12345热线对接", ["hotline_12345"]),
    ("iot-gateway", "IoT sensor gateway", "物联感知网关", ["sensor"]),
]

# Address words for reports without coordinates (gazetteer.yaml): roads in each community, a road that runs
# through several communities split by house numbers (first, last).
ROADS: dict[str, list[str | tuple[str, int, int]]] = {
    "yulong": ["毓龙西路", ("解放南路", 1, 199)],
    "qingnian": ["青年中路", ("解放南路", 200, 499)],
    "shiji": ["世纪大道"],
    "xinyang": ["新洋路"],
    "shuangyuan": ["双元路"],
    "kaifang": [("开放大道", 1, 299)],
    "yingbin": ["迎宾大道"],
    "huanghai": ["黄海西路"],
    "yangxu": ["仰徐路"],
    "wanjia": ["万家路"],
    "jingang": ["金港大道", ("开放大道", 300, 699)],
}

# Weekly duty shifts of a grid's first, second and third worker; a worker without shifts is always on duty.
DUTY: list[list[dict[str, Any]]] = [
    [{"days": ["mon..fri"], "from": "08:30", "to": "17:30"}],
    [
        {"days": ["mon..fri"], "from": "12:00", "to": "20:00"},
        {"days": ["sat", "sun"], "from": "09:00", "to": "17:00"},
    ],
    [],
]

# Dated changes, so that the registry has a history (city.as_of(day)). All but the operator joining next
# month lie in the past: today's registry is the same with or without them.
BOUNDARY_REDRAWN = "2025-07-01"  # the edge between Yulong grids 1 and 2 moved north
BOUNDARY_SHIFT_LAT = 0.0012
JOINED = {"w-tinghu-wenfeng-05": "2025-09-01"}  # a third worker joined Yulong grid 2
MOVED = {"w-yandu-xindu-06": ("g-yandu-xindu-04", "2025-03-01")}  # served Huanghai grid 1 until then
LEFT = [
    (
        "co-tinghu-wenfeng-yulong-former",
        "刘建军",
        "community_officer",
        "c-tinghu-wenfeng-yulong",
        "2024-12-31",
    )
]
JOINING = [("op-yandu-2", "蔡振华", "operator", "d-yandu", "2026-12-01")]  # next month
# The city command centre's operator files the cases no district can: a report placed neither by its
# point nor by its address has no district, so only city-wide staff may triage it.
CITY_STAFF = [("op-yancheng", "周明远", "operator", "yancheng")]

SURNAMES = "王李张陈刘杨周吴徐孙朱胡沈顾陆蒋唐夏姜卞乔薛葛严蔡丁单"
GIVEN_NAMES = [
    "建国",
    "秀英",
    "海燕",
    "志强",
    "丽华",
    "春梅",
    "卫东",
    "晓明",
    "玉兰",
    "红梅",
    "国庆",
    "小芳",
    "文静",
    "德明",
    "桂英",
    "磊",
    "婷",
    "浩然",
    "雨涵",
    "思远",
    "佳怡",
    "俊杰",
    "梦婷",
    "军",
    "勇",
    "静",
    "敏",
    "霞",
    "建华",
    "永红",
    "金凤",
    "学文",
    "宏伟",
    "亚楠",
    "晨",
    "子涵",
    "立新",
    "爱华",
    "振华",
    "素琴",
]


def _lattice(rng: random.Random) -> tuple[dict[Any, tuple[float, float]], ...]:
    corners: dict[tuple[int, int], tuple[float, float]] = {}
    for col in range(COLS + 1):
        for row in range(ROWS + 1):
            corners[col, row] = _jittered(rng, WEST + col * CELL_LON, NORTH - row * CELL_LAT, 1.0)
    # Mid-edge vertices bend each edge a little; both cells sharing an edge use the same one.
    across: dict[tuple[int, int], tuple[float, float]] = {}  # edge from corner (c, r) to (c+1, r)
    down: dict[tuple[int, int], tuple[float, float]] = {}  # edge from corner (c, r) to (c, r+1)
    for col in range(COLS + 1):
        for row in range(ROWS + 1):
            if col < COLS:
                a, b = corners[col, row], corners[col + 1, row]
                across[col, row] = _jittered(rng, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2, 0.4)
            if row < ROWS:
                a, b = corners[col, row], corners[col, row + 1]
                down[col, row] = _jittered(rng, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2, 0.4)
    return corners, across, down


def _jittered(rng: random.Random, lon: float, lat: float, scale: float) -> tuple[float, float]:
    return (
        round(lon + rng.uniform(-JITTER_LON, JITTER_LON) * scale, 6),
        round(lat + rng.uniform(-JITTER_LAT, JITTER_LAT) * scale, 6),
    )


def _cell_ring(lattice: tuple[dict[Any, tuple[float, float]], ...], col: int, row: int) -> list[list[float]]:
    corners, across, down = lattice
    # Counter-clockwise (RFC 7946): south-west, south, south-east, east, north-east, north, ...
    ring = [
        corners[col, row + 1],
        across[col, row + 1],
        corners[col + 1, row + 1],
        down[col + 1, row],
        corners[col + 1, row],
        across[col, row],
        corners[col, row],
        down[col, row],
    ]
    return [list(point) for point in [*ring, ring[0]]]


def _area_km2(ring: list[list[float]]) -> float:
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    return twice / 2 * KM2_PER_DEG2


def build(rng: random.Random) -> dict[str, Any]:
    lattice = _lattice(rng)
    names = _name_source(rng)
    districts, features, people, gazetteer = [], [], [], []
    for district, d_name, d_zh, streets in ORG:
        street_entries = []
        for street, s_name, s_zh, communities in streets:
            prefix = f"{district}-{street}"
            community_entries, grid_no, worker_no = [], 0, 0
            for community, c_zh, cells in communities:
                community_id = f"c-{prefix}-{community}"
                grid_ids = []
                for index, (col, row) in enumerate(cells, start=1):
                    grid_no += 1
                    grid_id = f"g-{prefix}-{grid_no:02d}"
                    grid_ids.append(grid_id)
                    ring = _cell_ring(lattice, col, row)
                    assert 0.3 <= _area_km2(ring) <= 1.0, (grid_id, _area_km2(ring))
                    features += _versions(
                        _feature(grid_id, community, c_zh, index, community_id, ring), lattice
                    )
                    people.append(_person(f"gc-{prefix}-{grid_no:02d}", next(names), "grid_chief", grid_id))
                    for nth in range(1 + (grid_no + len(community)) % 3):
                        worker_no += 1
                        worker = _person(f"w-{prefix}-{worker_no:02d}", next(names), "grid_worker", grid_id)
                        people += _worker_versions({**worker, **({"duty": DUTY[nth]} if DUTY[nth] else {})})
                people.append(
                    _person(f"co-{prefix}-{community}", next(names), "community_officer", community_id)
                )
                gazetteer.append(_gazetteer_entry(community_id, community, c_zh))
                community_entries.append(
                    {
                        "community_id": community_id,
                        "name": community.capitalize(),
                        "name_zh": c_zh,
                        "grids": grid_ids,
                    }
                )
            for n in (1, 2):
                people.append(_person(f"so-{prefix}-{n}", next(names), "street_officer", f"s-{prefix}"))
            street_entries.append(
                {
                    "street_id": f"s-{prefix}",
                    "name": s_name,
                    "name_zh": s_zh,
                    "communities": community_entries,
                }
            )
        people.append(_person(f"op-{district}", next(names), "operator", f"d-{district}"))
        people.append(_person(f"sv-{district}", next(names), "supervisor", f"d-{district}"))
        districts.append(
            {"district_id": f"d-{district}", "name": d_name, "name_zh": d_zh, "streets": street_entries}
        )
    people.append(_person("sv-yancheng", next(names), "supervisor", "yancheng"))
    for dept, _, _ in DEPARTMENTS:
        people.append(_person(f"dh-{dept}", next(names), "department_handler", f"dept-{dept}"))
    people += [{**_person(*who), "effective_until": until} for *who, until in LEFT]
    people += [{**_person(*who), "effective_from": since} for *who, since in JOINING]
    people += [_person(*who) for who in CITY_STAFF]
    owned: dict[str, list[str]] = {}
    for group_id, _, _, leaves in CATEGORIES:
        for leaf, *values in leaves:
            if values[4] is not None:
                owned.setdefault(str(values[4]), []).append(f"{group_id}.{leaf}")
    return {
        "city": {
            "city_id": "yancheng",
            "name": "Yancheng",
            "name_zh": "盐城市",
            "timezone": "Asia/Shanghai",
            "version": "2024.1",
            "effective_from": "2024-01-01",
            "districts": districts,
            "departments": [
                {
                    "department_id": f"dept-{dept}",
                    "name": name,
                    "name_zh": zh,
                    "categories": owned.get(dept, []),
                }
                for dept, name, zh in DEPARTMENTS
            ],
        },
        "gazetteer": {"communities": gazetteer},
        "grids": features,
        "people": {"people": people},
        "categories": {"groups": [_group(*group) for group in CATEGORIES]},
        "apps": {"apps": [_app(*app) for app in APPS]},
    }


def _feature(
    grid_id: str, community: str, c_zh: str, index: int, community_id: str, ring: list[list[float]]
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "grid_id": grid_id,
            "name": f"{community.capitalize()} grid {index}",
            "name_zh": f"{c_zh}第{index}网格",
            "community_id": community_id,
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _person(person_id: str, name: str, role: str, unit_id: str) -> dict[str, Any]:
    return {"person_id": person_id, "name": name, "role": role, "unit_id": unit_id}


def _worker_versions(worker: dict[str, Any]) -> list[dict[str, Any]]:
    person_id = worker["person_id"]
    if person_id in JOINED:
        return [{**worker, "effective_from": JOINED[person_id]}]
    if person_id in MOVED:
        unit_id, moved_on = MOVED[person_id]
        return [
            {**worker, "unit_id": unit_id, "effective_until": moved_on},
            {**worker, "effective_from": moved_on},
        ]
    return [worker]


def _versions(
    feature: dict[str, Any], lattice: tuple[dict[Any, tuple[float, float]], ...]
) -> list[dict[str, Any]]:
    """The grid's feature, preceded by its boundary before BOUNDARY_REDRAWN for the two grids redrawn."""
    _, across, _ = lattice
    edge = across[2, 1]  # the shared edge's mid vertex of lattice cells (2, 0) and (2, 1): Yulong grids 1, 2
    ring = feature["geometry"]["coordinates"][0]
    if list(edge) not in ring:
        return [feature]
    old_vertex = [edge[0], round(edge[1] - BOUNDARY_SHIFT_LAT, 6)]
    old_ring = [old_vertex if point == list(edge) else point for point in ring]
    old = {
        **feature,
        "properties": {**feature["properties"], "effective_until": BOUNDARY_REDRAWN},
        "geometry": {"type": "Polygon", "coordinates": [old_ring]},
    }
    new = {**feature, "properties": {**feature["properties"], "effective_from": BOUNDARY_REDRAWN}}
    return [old, new]


def _gazetteer_entry(community_id: str, community: str, c_zh: str) -> dict[str, Any]:
    short = c_zh.removesuffix("社区")
    roads = [
        road if isinstance(road, str) else {"name": road[0], "numbers": [road[1], road[2]]}
        for road in ROADS[community]
    ]
    aliases = [c_zh, f"{short}居委会", f"{community.capitalize()} Community"]
    return {"community_id": community_id, "aliases": aliases, "roads": roads}


def _name_source(rng: random.Random) -> Iterator[str]:
    seen: set[str] = set()
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in seen:
            seen.add(name)
            yield name


def _group(group_id: str, name: str, name_zh: str, leaves: list[tuple[str | None, ...]]) -> dict[str, Any]:
    fields = (
        "name",
        "name_zh",
        "nature",
        "default_tier",
        "department_id",
        "priority",
        "resolve_within",
        "close_within",
    )
    categories = []
    for leaf, *values in leaves:
        category = {"code": f"{group_id}.{leaf}", **dict(zip(fields, values, strict=True)), "active": True}
        if category["department_id"] is not None:
            category["department_id"] = f"dept-{category['department_id']}"
        categories.append(category)
    return {"group_id": group_id, "name": name, "name_zh": name_zh, "categories": categories}


def _app(app_id: str, name: str, name_zh: str, source_types: list[str]) -> dict[str, Any]:
    key_hash = hashlib.sha256(f"{DEV_KEY_PREFIX}{app_id}".encode()).hexdigest()
    return {
        "app_id": app_id,
        "name": name,
        "name_zh": name_zh,
        "source_types": source_types,
        "api_key_sha256": key_hash,
    }


class _Dumper(yaml.SafeDumper):
    """Writes shared values out in full (no &anchors), and times of day in quotes: unquoted, YAML 1.1
    reads 12:00 as the number 720."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'" if ":" in text else None)


_Dumper.add_representer(str, _represent_str)


def _yaml(data: Any, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    return f"# {header}\n# Generated by tools/make_sample_city.py; edit the generator, not this file.\n{body}"


def _geojson(features: list[dict[str, Any]]) -> str:
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def write(out_dir: Path) -> None:
    data = build(random.Random(SEED))
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "city.yaml": _yaml(
            data["city"],
            "The city, its org tree (districts > streets > communities > grids) and departments.",
        ),
        "grids.geojson": _geojson(data["grids"]),
        "people.yaml": _yaml(
            data["people"], "Everyone the platform assigns work to or acts for, and the unit each serves."
        ),
        "categories.yaml": _yaml(data["categories"], "The two-level catalogue of report categories."),
        "apps.yaml": _yaml(
            data["apps"], "Grid apps allowed to post reports; only the SHA-256 of each API key is kept."
        ),
        "gazetteer.yaml": _yaml(
            data["gazetteer"],
            "Address words -> community, for reports with an address but no coordinates: each community's\n"
            "# aliases and roads; a road through several communities is split by house numbers [first, last].",
        ),
    }
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "city")
