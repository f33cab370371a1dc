"""A small client for the running loop, as a grid app and the people on the ground use it.

Shared by the demo (`make demo`), the end-to-end tests and the benchmarks, so all three exercise the
same HTTP surface that real clients do.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from services.dispatch.config import load_triage
from shared.city import Category, City
from shared.events import derived_id
from shared.settings import REPO_ROOT


@dataclass(frozen=True)
class Endpoints:
    intake: str
    dispatch: str
    handling: str
    scoring: str

    @classmethod
    def from_ports(cls, intake: int, dispatch: int, handling: int, scoring: int) -> Endpoints:
        return cls(*(f"http://127.0.0.1:{port}" for port in (intake, dispatch, handling, scoring)))

    @classmethod
    def from_env(cls) -> Endpoints:
        """The ports `scripts/stack.sh` uses, from its variables when set (the test profile sets them)."""
        return cls.from_ports(
            int(os.environ.get("INTAKE_PORT", 8001)),
            int(os.environ.get("DISPATCH_PORT", 8002)),
            int(os.environ.get("HANDLING_PORT", 8003)),
            int(os.environ.get("SCORING_PORT", 8004)),
        )

    def all(self) -> dict[str, str]:
        return {
            "intake": self.intake,
            "dispatch": self.dispatch,
            "handling": self.handling,
            "scoring": self.scoring,
        }


def categories_opening_own_cases(city: City) -> list[Category]:
    """Active categories dispatch never merges (city/triage.yaml): each report of these is a case of
    its own, which is what the demo and the latency benchmark follow report by report."""
    rules = load_triage(city_dir() / "triage.yaml", city)
    return [c for c in city.categories if c.active and rules.merge.for_category(c.code) is None]


def city_dir() -> Path:
    return Path(os.environ.get("GRIDLOOP_CITY_DIR", REPO_ROOT / "city"))


def case_id_of(report_id: str) -> str:
    """Dispatch derives the case id from the report id, so a client can follow its report."""
    return str(derived_id("case", report_id))


def report_body(
    *,
    category: str,
    lon: float,
    lat: float,
    source_type: str = "resident",
    reporter_id: str = "resident-1",
    description: str = "Reported through the gridloop client.",
    crs: str = "WGS84",
) -> dict[str, Any]:
    return {
        "report_id": str(uuid.uuid4()),
        "source_type": source_type,
        "reporter_id": reporter_id,
        "category": category,
        "description": description,
        "location": {"lon": lon, "lat": lat, "crs": crs},
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }


class LoopClient:
    def __init__(self, endpoints: Endpoints, *, timeout: float = 10.0) -> None:
        self.endpoints = endpoints
        self.http = httpx.AsyncClient(timeout=timeout)
        self.retries_after_503 = 0
        self.retries_after_transport_error = 0

    async def close(self) -> None:
        await self.http.aclose()

    async def wait_ready(self, *, within: float = 90.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        pending = dict(self.endpoints.all())
        while pending:
            for name, base in list(pending.items()):
                try:
                    if (await self.http.get(f"{base}/readyz")).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if pending and asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"not ready after {within:.0f}s: {', '.join(pending)}")
            if pending:
                await asyncio.sleep(0.5)

    async def submit(self, body: dict[str, Any], *, api_key: str) -> httpx.Response:
        """POST a report as a well-behaved app does: a 503 is retried after its Retry-After, a request
        that timed out or lost its connection is retried at once, both with the same report id — intake
        answers a retry of an accepted report with the same 202 and keeps one report."""
        attempts = 20
        for attempt in range(attempts):
            try:
                response = await self.http.post(
                    f"{self.endpoints.intake}/v1/reports", json=body, headers={"X-Api-Key": api_key}
                )
            except httpx.TransportError:
                if attempt == attempts - 1:
                    raise
                self.retries_after_transport_error += 1
                continue
            if response.status_code != 503 or attempt == attempts - 1:
                return response
            self.retries_after_503 += 1
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def case(self, case_id: str, *, token: str) -> dict[str, Any] | None:
        response = await self.http.get(
            f"{self.endpoints.handling}/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def wait_case(
        self, case_id: str, *, token: str, state: str = "assigned", within: float = 30.0
    ) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            case = await self.case(case_id, token=token)
            if case is not None and case["state"] == state:
                return case
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"case {case_id} not {state} after {within:.0f}s: {case}")
            await asyncio.sleep(0.2)

    async def act(self, case_id: str, action: str, *, token: str, **body: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.endpoints.handling}/v1/cases/{case_id}/{action}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 200:
            raise RuntimeError(f"{action} on {case_id}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    async def assessment(
        self, subject_type: str, subject_id: str, period: str, *, token: str
    ) -> dict[str, Any] | None:
        response = await self.http.get(
            f"{self.endpoints.scoring}/v1/assessments/{subject_type}/{subject_id}",
            params={"period": period},
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def assessments(self, subject_type: str, period: str, *, token: str) -> list[dict[str, Any]]:
        response = await self.http.get(
            f"{self.endpoints.scoring}/v1/assessments",
            params={"period": period, "subject_type": subject_type, "limit": 500},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        body = response.json()
        items: list[dict[str, Any]] = body["items"] if isinstance(body, dict) else body
        return items
