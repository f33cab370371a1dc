"""`make demo`: play a morning in the city against the running stack and print the assessment.

Grid apps post realistic reports; dispatch opens and assigns cases; the assignees accept and resolve
them; the grid chiefs verify (one in six fails and goes back for rework) and close them, some on time
and some after their deadline; a few are left open. Then five more cases walk through tiered handling
(escalation, return, extension, consultation, rework and a callback that reopens; tools/demo_tiered.py),
and the assessment table scoring produced.

Late closures need compressed SLA time: `make up` runs with SLA_SCALE=8640 (a day of limit is ten
seconds). On a real-time stack (SLA_SCALE=1) the demo does not wait days: it closes everything on time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tqdm import tqdm

from services.handling.settings import HandlingSettings
from shared.city import City, load_city
from shared.settings import REPO_ROOT
from tools.client import Endpoints, LoopClient, case_id_of, categories_opening_own_cases, report_body
from tools.demo_tiered import TieredScenes
from tools.token import mint_token

# What people say when they report, by category (a sample; other categories use their name).
DESCRIPTIONS = {
    "city_appearance.garbage_overflow": "小区东门垃圾桶满溢，已经两天没人清运，气味很大。",
    "city_appearance.illegal_advertising": "单元楼道墙上贴满了小广告。",
    "safety.fire_exit_blocked": "3号楼消防通道被电动车和杂物堵住了。",
    "people.elderly_alone_help": "独居的王奶奶这几天没出门，敲门没人应，请网格员看看。",
    "dispute.neighbour_noise": "楼上装修每天晚上十点以后还在施工，协商无果。",
}
LONGEST_WAIT_SECONDS = 35  # the demo waits for a deadline this close; farther ones it closes on time


@dataclass
class Fate:
    rework: bool
    late: bool
    left_open: bool


def fate_of(rng: random.Random) -> Fate:
    roll = rng.random()
    return Fate(rework=rng.random() < 1 / 6, late=0.6 <= roll < 0.8, left_open=roll >= 0.9)


class Demo:
    def __init__(self, city: City, loop: LoopClient, rng: random.Random) -> None:
        self.city = city
        self.loop = loop
        self.rng = rng
        self.secret = HandlingSettings().jwt_secret
        self.viewer = self.token("sv-yancheng")  # a city-wide supervisor sees every case
        self.left_open: list[str] = []
        self.own_case_categories = categories_opening_own_cases(city)
        self.closed_late = 0

    def token(self, person_id: str) -> str:
        return mint_token(self.city.person(person_id), self.secret)

    def report(self, *, grid_level: bool = False) -> tuple[dict[str, Any], str]:
        app = self.rng.choice(self.city.apps)
        grid = self.rng.choice(self.city.grids)
        point = grid.polygon.representative_point()
        # Most of what people report is the grid's own business; the rest goes up to a community,
        # street or department. Only categories dispatch never merges: the demo follows each report
        # to a case of its own.
        grid_level_categories = [c for c in self.own_case_categories if c.default_tier == "grid"]
        category = self.rng.choice(
            grid_level_categories if grid_level or self.rng.random() < 0.7 else self.own_case_categories
        )
        body = report_body(
            category=category.code,
            lon=point.x,
            lat=point.y,
            source_type=self.rng.choice(app.source_types),
            reporter_id=f"{app.app_id}-user-{self.rng.randint(1, 10**6)}",
            description=DESCRIPTIONS.get(category.code, f"{category.name_zh}，请尽快处理。"),
        )
        return body, f"dev-key-{app.app_id}"

    async def play_case(self, body: dict[str, Any], api_key: str, progress: tqdm) -> None:
        response = await self.loop.submit(body, api_key=api_key)
        response.raise_for_status()
        case = await self.loop.wait_case(case_id_of(body["report_id"]), token=self.viewer)
        fate = fate_of(self.rng)
        holder, verifier = self.token(case["assignee_id"]), self.token(case["verifier_id"])
        await self.loop.act(case["id"], "accept", token=holder)
        if fate.left_open:
            self.left_open.append(case["id"])
            progress.update(1)
            return
        await self.loop.act(case["id"], "resolve", token=holder, note="已处理", evidence=[])
        if fate.rework:
            await self.loop.act(case["id"], "verify", token=verifier, passed=False, note="现场核查未整改到位")
            await self.loop.act(case["id"], "resolve", token=holder, note="已返工整改", evidence=[])
        await self.loop.act(case["id"], "verify", token=verifier, passed=True, note="现场核查通过")
        if fate.late:
            wait = (datetime.fromisoformat(case["close_by"]) - datetime.now(UTC)).total_seconds()
            if wait < LONGEST_WAIT_SECONDS:
                await asyncio.sleep(max(0.0, wait) + 0.5)
                self.closed_late += 1
        await self.loop.act(case["id"], "close", token=verifier, note="结案")
        progress.update(1)

    async def tiered(self) -> None:
        """Five more grid cases, each walked through one scene of tiered handling."""
        cases = []
        for _ in range(5):
            body, api_key = self.report(grid_level=True)
            (await self.loop.submit(body, api_key=api_key)).raise_for_status()
            cases.append(await self.loop.wait_case(case_id_of(body["report_id"]), token=self.viewer))
        await TieredScenes(self.city, self.loop, self.token, self.viewer).play(cases)

    async def run(self, reports: int) -> None:
        await self.loop.wait_ready(within=30)
        with tqdm(total=reports, desc="cases through the loop", unit="case") as progress:
            await asyncio.gather(*(self.play_case(*self.report(), progress) for _ in range(reports)))


def period_now(city: City) -> str:
    return datetime.now(ZoneInfo(city.timezone)).strftime("%Y-%m")


async def print_assessment(loop: LoopClient, city: City, period: str) -> None:
    """The month's bulletin (考核通报): each level ranked by composite score, as a city publishes it."""
    await asyncio.sleep(2)  # scoring consumes asynchronously: let the last events land
    levels = (
        ("grid_worker", "网格员 grid workers"),
        ("grid", "网格 grids"),
        ("community", "社区 communities"),
    )
    for level, title in levels:
        response = await loop.http.get(
            f"{loop.endpoints.scoring}/v1/rankings", params={"level": level, "period": period, "limit": 500}
        )
        response.raise_for_status()
        body = response.json()
        print(f"\n{period} 考核排名 ranking — {title} (rubric {body['rubric_version']})")
        print(
            f"{'排名':>4} {'subject':<28} {'应结':>4} {'结案':>4} {'按期':>4} {'返工':>4} "
            f"{'结案率%':>8} {'按期结案率%':>10} {'处置率%':>8} {'得分':>7}  等级 grade"
        )
        for row in body["items"]:
            c = row["counters"]
            rates = {i["name"]: i["value"] or "—" for i in row["indicators"]}
            label = f"{row['subject_id']} {row['name'] or ''}".strip()
            rank = row["rank"] if row["rank"] is not None else "—"
            print(
                f"{rank:>4} {label:<28} {c['due_to_close']:>4} {c['closed']:>4} {c['closed_on_time']:>4} "
                f"{c['reworks']:>4} {rates.get('closure_rate', '—'):>8} "
                f"{rates.get('on_time_closure_rate', '—'):>10} {rates.get('handling_rate', '—'):>8} "
                f"{row['score'] or '—':>7}  {row['grade'] or '—'}"
            )
    print(f"\nbulletin CSV: {loop.endpoints.scoring}/v1/bulletins/{period}.csv?level=grid")


async def main_async(reports: int, seed: int) -> None:
    city = load_city(REPO_ROOT / "city")
    loop = LoopClient(Endpoints.from_env())
    try:
        demo = Demo(city, loop, random.Random(seed))
        await demo.run(reports)
        print(f"\n{reports} reports: {demo.closed_late} closed late, {len(demo.left_open)} left open")
        try:
            await demo.tiered()
        except Exception as exc:  # the scenes are extra: the assessment below must still print
            print(f"tiered handling scenes stopped: {exc!r}"[:300])
        await print_assessment(loop, city, period_now(city))
    finally:
        await loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(main_async(args.reports, args.seed if args.seed is not None else random.randrange(10**6)))


if __name__ == "__main__":
    main()
