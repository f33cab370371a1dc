"""The tiered-handling part of `make demo`: a few cases walked through what grid work really involves —
an escalation, a return and re-dispatch, an extension, a consultation, a rework and an unsatisfied
callback that reopens a case — printing each case's path from its timeline.

Each scene picks a grid-level case it opened itself and acts as the people the city's registry names
(holder, grid chief, the district's operator and supervisor, the street officer, a department).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.city import City
from tools import display
from tools.client import LoopClient

Act = Callable[[str, str, str], Awaitable[dict[str, Any]]]


class TieredScenes:
    def __init__(self, city: City, loop: LoopClient, token: Callable[[str], str], viewer: str) -> None:
        self.city = city
        self.loop = loop
        self.token = token
        self.viewer = viewer

    async def act(self, case: dict[str, Any], action: str, person_id: str, **body: Any) -> dict[str, Any]:
        return await self.loop.act(case["id"], action, token=self.token(person_id), **body)

    def operator_of(self, case: dict[str, Any]) -> str:
        return self.city.members_of(case["district_id"], role="operator")[0].person_id

    async def escalation(self, case: dict[str, Any]) -> None:
        await self.act(case, "escalate", case["assignee_id"], note="需要社区协调物业处理")

    async def return_and_redispatch(self, case: dict[str, Any]) -> None:
        await self.act(case, "requests/return", case["assignee_id"], note="不属于本网格，申请退单")
        await self.act(case, "requests/return/approve", self.operator_of(case), note="同意退单")
        others = [
            w.person_id for w in self.city.workers_of(case["grid_id"]) if w.person_id != case["assignee_id"]
        ]
        again = others[0] if others else case["assignee_id"]
        await self.act(case, "reassign", self.operator_of(case), assignee_id=again, note="重新派遣")

    async def extension(self, case: dict[str, Any]) -> None:
        await self.act(case, "accept", case["assignee_id"])
        await self.act(case, "requests/extension", case["assignee_id"], note="等待配件", length="P1D")
        await self.act(case, "requests/extension/approve", case["verifier_id"], note="同意延期一天")

    async def consultation(self, case: dict[str, Any]) -> None:
        community = await self.act(case, "escalate", case["assignee_id"], note="网格无法解决")
        street = await self.act(case, "escalate", community["assignee_id"], note="需要街道协调")
        department = case["department_id"] or "dept-urban-management"
        handler = self.city.members_of(department, role="department_handler")[0].person_id
        convener = street["assignee_id"]
        await self.act(case, "consultation", convener, invited_units=[department], note="召开会商")
        await self.act(
            case, "consultation/opinions", handler, unit_id=department, note="属本部门职责，可牵头"
        )
        deadline = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
        await self.act(
            case,
            "consultation/decision",
            convener,
            lead_unit=department,
            supporting_units=[case["community_id"]],
            deadline=deadline,
            note="部门牵头",
        )

    async def rework_and_callback(self, case: dict[str, Any]) -> None:
        holder, chief, operator = case["assignee_id"], case["verifier_id"], self.operator_of(case)
        await self.act(case, "accept", holder)
        await self.act(case, "resolve", holder, note="已处理", evidence=[])
        await self.act(case, "verify", chief, passed=False, note="现场核查未整改到位")
        await self.act(case, "resolve", holder, note="已返工整改", evidence=[])
        await self.act(case, "verify", chief, passed=True, note="核查通过")
        await self.act(case, "close", chief, note="结案")
        await self.act(
            case, "callback", operator, satisfaction=1, handler_caused=True, note="回访不满意：问题复发"
        )

    async def play(self, cases: list[dict[str, Any]]) -> None:
        """One scene per case, in order; prints each case's path through its states."""
        scenes: list[tuple[str, Callable[[dict[str, Any]], Awaitable[None]]]] = [
            ("escalation 升级", self.escalation),
            ("return 退单 and re-dispatch", self.return_and_redispatch),
            ("extension 延期", self.extension),
            ("consultation 会商", self.consultation),
            ("rework 返工 and callback 回访 → reopened", self.rework_and_callback),
        ]
        print("\ntiered handling 分级处置:")
        paths = display.table("scene", "the case's path")
        try:
            for (title, scene), case in zip(scenes, cases, strict=False):
                try:
                    await scene(case)
                except RuntimeError as exc:  # a timer may have moved the case on meanwhile (demo time)
                    paths.add_row(title, f"skipped: {str(exc)[:120]}")
                    continue
                paths.add_row(title, await self.path(case["id"]))
        finally:  # the scenes played so far, also when one stops the rest
            display.print_table(paths)

    async def path(self, case_id: str) -> str:
        response = await self.loop.http.get(
            f"{self.loop.endpoints.handling}/v1/cases/{case_id}/timeline",
            headers={"Authorization": f"Bearer {self.viewer}"},
        )
        entries = response.json()["entries"]
        return " → ".join(
            e["action"] for e in entries if e["actor_role"] != "system" or e["action"] == "escalate"
        )
