"""What the browser tests do outside the browser, against the stack they run on: set people's passwords
(the console's CLI), post reports to intake as a grid app, take a holder's steps in handling with a dev
token, and put a case before manual triage as dispatch does. Each command prints one JSON document.

    python -m tests.browser.helpers passwords PERSON...
    python -m tests.browser.helpers report CATEGORY LON LAT [--wait-state assigned|opened]
    python -m tests.browser.helpers step CASE_ID PERSON PATH [JSON_BODY]
    python -m tests.browser.helpers untriaged DISTRICT CATEGORY LON LAT
    python -m tests.browser.helpers case CASE_ID

Ports come from the stack's variables (INTAKE_PORT, HANDLING_PORT; scripts/stack.sh), Kafka from
GRIDLOOP_KAFKA_BOOTSTRAP or KAFKA_PORT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.events import derived_id, encode
from shared.events.reports import GeoPoint
from shared.kafka import make_producer, send
from tests.builders.cases import case_opened
from tools.client import Endpoints, LoopClient, case_id_of, report_body

# The password every person of the browser tests signs in with (a test stack's own database).
PASSWORD = "browser-test-passw0rd"
RESIDENT_APP_KEY = "dev-key-resident-app"
# Sees every case: waits for what dispatch made of a report.
CITY_WIDE = "sv-yancheng"
DISPATCH_SOURCE = "/gridloop/dispatch"


def _env() -> dict[str, str]:
    """The stack's database for the console's CLI: `make browser` names it as the tests' database."""
    env = dict(os.environ)
    if "GRIDLOOP_TEST_DATABASE_URL" in env:
        env.setdefault("DATABASE_URL", env["GRIDLOOP_TEST_DATABASE_URL"])
    return env


def token(person: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "tools.token", person], check=True, capture_output=True, text=True, env=_env()
    ).stdout
    return out.strip().splitlines()[-1]


def passwords(people: list[str]) -> dict[str, Any]:
    for person in people:
        subprocess.run(
            [sys.executable, "-m", "services.console.passwords", "set", person],
            input=f"{PASSWORD}\n",
            env=_env(),
            check=True,
            capture_output=True,
            text=True,
        )
    return {"password": PASSWORD, "people": people}


async def report(category: str, lon: float, lat: float, wait_state: str, description: str) -> dict[str, Any]:
    client = LoopClient(Endpoints.from_env())
    try:
        # A reporter of its own: one reporter's many reports in an hour would be voided as spam.
        reporter = f"resident-browser-{uuid.uuid4().hex[:8]}"
        body = report_body(category=category, lon=lon, lat=lat, description=description, reporter_id=reporter)
        answer = await client.submit(body, api_key=RESIDENT_APP_KEY)
        answer.raise_for_status()
        case_id = case_id_of(body["report_id"])
        case = await client.wait_case(case_id, token=token(CITY_WIDE), state=wait_state, within=60)
        return {"report_id": body["report_id"], **case}
    finally:
        await client.close()


async def step(case_id: str, person: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    url = f"{Endpoints.from_env().handling}/v1/cases/{case_id}/{path}"
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(url, json=body, headers={"Authorization": f"Bearer {token(person)}"})
    if answer.status_code >= 400:
        raise SystemExit(f"{path} by {person}: {answer.status_code} {answer.text}")
    result: dict[str, Any] = answer.json()
    return result


async def case(case_id: str) -> dict[str, Any]:
    client = LoopClient(Endpoints.from_env())
    try:
        found = await client.case(case_id, token=token(CITY_WIDE))
        return found or {}
    finally:
        await client.close()


def _kafka() -> str:
    default = os.environ.get("GRIDLOOP_TEST_KAFKA", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    return os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", default)


async def untriaged(district: str, category: str, lon: float, lat: float) -> dict[str, Any]:
    """A case dispatch opened in the district without placing it in a grid or naming anyone: it waits
    for an operator's manual triage (dispatch's own path to this needs a city-wide operator)."""
    now = datetime.now(UTC)
    opened = case_opened(
        now=now,
        case_id=uuid.uuid4(),
        category=category,
        tier="community",
        location=GeoPoint(lon=lon, lat=lat),
        description="热线来电：地址不详，请坐席核实后立案",
        grid_id=None,
        community_id=None,
        street_id=None,
        district_id=district,
        source_type="hotline_12345",
        reporter_id="caller-browser-test",
        app_id="hotline-12345",
        resolve_by=now + timedelta(days=2),
        close_by=now + timedelta(days=3),
    )
    record = encode(opened, source=DISPATCH_SOURCE, event_id=derived_id(opened.case_id, "opened"))
    producer = make_producer(_kafka(), client_id="gridloop-browser-tests")
    await producer.start()
    try:
        await send(producer, record)
    finally:
        await producer.stop()
    client = LoopClient(Endpoints.from_env())
    try:
        found = await client.wait_case(str(opened.case_id), token=token(CITY_WIDE), state="opened", within=60)
    finally:
        await client.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    people = commands.add_parser("passwords")
    people.add_argument("people", nargs="+")
    posted = commands.add_parser("report")
    posted.add_argument("category")
    posted.add_argument("lon", type=float)
    posted.add_argument("lat", type=float)
    posted.add_argument("--wait-state", default="assigned")
    posted.add_argument("--description", default="居民楼道内电动车违规充电（浏览器测试）")
    taken = commands.add_parser("step")
    taken.add_argument("case_id")
    taken.add_argument("person")
    taken.add_argument("path")
    taken.add_argument("body", nargs="?", default="{}")
    waiting = commands.add_parser("untriaged")
    waiting.add_argument("district")
    waiting.add_argument("category")
    waiting.add_argument("lon", type=float)
    waiting.add_argument("lat", type=float)
    read = commands.add_parser("case")
    read.add_argument("case_id")
    args = parser.parse_args()
    if args.command == "passwords":
        result = passwords(args.people)
    elif args.command == "report":
        result = asyncio.run(report(args.category, args.lon, args.lat, args.wait_state, args.description))
    elif args.command == "step":
        result = asyncio.run(step(args.case_id, args.person, args.path, json.loads(args.body)))
    elif args.command == "untriaged":
        result = asyncio.run(untriaged(args.district, args.category, args.lon, args.lat))
    else:
        result = asyncio.run(case(args.case_id))
    print(json.dumps(result, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
