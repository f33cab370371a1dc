"""Wait until every given HTTP endpoint answers 200, or report which did not and why.

    wait_http.py --timeout 90 NAME=URL[=PIDFILE] ...

A NAME whose PIDFILE names a process that has exited fails at once instead of waiting out the timeout.
Exit 0 when all are ready; 1 otherwise, listing each failing NAME on stdout (one per line) and the
reason on stderr. Used by scripts/stack.sh; stdlib only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass
class Target:
    name: str
    url: str
    pidfile: str | None
    last_error: str = "not tried"


def parse(spec: str) -> Target:
    name, _, rest = spec.partition("=")
    # URLs contain ':' but never '=' here, so the last '=' (if any beyond the URL) separates the pid file.
    url, _, pidfile = rest.partition("=")
    if not name or not url:
        raise SystemExit(f"bad target {spec!r}: expected NAME=URL[=PIDFILE]")
    return Target(name, url, pidfile or None)


def alive(pidfile: str) -> bool:
    try:
        with open(pidfile) as fh:
            pid = int(fh.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def ready(target: Target) -> bool:
    try:
        with urllib.request.urlopen(target.url, timeout=2) as resp:
            if resp.status == 200:
                return True
            target.last_error = f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode(errors="replace").strip()
        target.last_error = f"HTTP {exc.code} {body}"
    except (urllib.error.URLError, OSError) as exc:
        target.last_error = str(getattr(exc, "reason", exc))
    return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timeout", type=float, default=90.0)
    parser.add_argument("targets", nargs="+", type=parse)
    args = parser.parse_args()
    pending: list[Target] = list(args.targets)
    dead: list[Target] = []
    deadline = time.monotonic() + args.timeout
    while pending:
        for target in list(pending):
            if ready(target):
                pending.remove(target)
            elif target.pidfile and not alive(target.pidfile):
                target.last_error = "process exited"
                pending.remove(target)
                dead.append(target)
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    failed = dead + pending
    for target in failed:
        print(target.name)
        print(f"{target.name}: {target.url} not ready: {target.last_error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
