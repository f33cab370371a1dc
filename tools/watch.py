"""Watch the case stream from a terminal: one line per case event the token's holder may see.

    TOKEN=$(.venv/bin/python -m tools.token op-tinghu)
    python -m tools.watch --token "$TOKEN" [--url http://127.0.0.1:8003] [--after N]
                          [--state S] [--tier T] [--grid G] [--category C] [--case ID]

It reconnects by itself when the connection drops, sending the id of the last event it printed as
``Last-Event-ID``, so nothing is missed and nothing printed twice. ``--after 0`` starts from the first
event ever; without it the watch starts with the next one. The token may also come from
``GRIDLOOP_TOKEN``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import httpx
from httpx_sse import SSEError, connect_sse

FILTERS = ("state", "tier", "grid", "category", "case")
PARAMS = {"grid": "grid_id", "case": "case_id"}


def describe(event: dict[str, Any]) -> str:
    """One line: position, time, case, action, who, the state change, where, and the note."""
    case = event["case"]
    change = f"{event['from_state'] or '-'} → {event['to_state']}"
    where = case["grid_id"] or case["community_id"] or case["district_id"] or "?"
    note = f"  «{event['note'].splitlines()[0][:60]}»" if event.get("note") else ""
    return (
        f"#{event['position']} {event['at'][:19]} {event['case_id'][:8]} {event['action']:<17} "
        f"{event['actor_id']} ({event['actor_role']}) {change} {case['category']} @{where}{note}"
    )


def watch(url: str, token: str, params: dict[str, str], last_id: str | None, retry_seconds: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        if last_id is not None:
            headers["Last-Event-ID"] = last_id
        try:
            with (
                httpx.Client(base_url=url, timeout=httpx.Timeout(10, read=None)) as client,
                connect_sse(client, "GET", "/v1/stream/cases", headers=headers, params=params) as source,
            ):
                if source.response.status_code != 200:
                    source.response.read()
                    print(f"refused ({source.response.status_code}): {source.response.text}", file=sys.stderr)
                    return
                for sse in source.iter_sse():
                    if sse.retry is not None:
                        retry_seconds = sse.retry / 1000
                    if sse.id:
                        # also the id-only message a stream opens with: a reconnect resumes from it
                        last_id = sse.id
                    if sse.data:
                        print(describe(json.loads(sse.data)), flush=True)
        except (httpx.HTTPError, SSEError) as exc:
            print(f"(connection lost: {exc!r}; reconnecting after {last_id or 'the start'})", file=sys.stderr)
        time.sleep(retry_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.watch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8003", help="handling's base URL")
    parser.add_argument("--token", default=os.environ.get("GRIDLOOP_TOKEN"), help="a bearer token")
    parser.add_argument("--after", default=None, help="start after this position (0: from the first)")
    for name in FILTERS:
        parser.add_argument(f"--{name}", default=None, help=f"only events whose case has this {name}")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token (or GRIDLOOP_TOKEN): python -m tools.token <person_id> mints one")
    params = {PARAMS.get(name, name): getattr(args, name) for name in FILTERS if getattr(args, name)}
    if args.after is not None:
        params["after"] = args.after
    try:
        watch(args.url, args.token, params, None, retry_seconds=3.0)
    except KeyboardInterrupt:
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
