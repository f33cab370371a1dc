"""The processes a bench starts. When one of them dies, the bench fails at once with the child's own error
(the last lines it wrote), instead of waiting out a deadline for output that can no longer come.

- ``run(name, args)``: ``python *args`` (or another ``program``) run to its end (a load generator, a
  measuring child, a build); its stdout.
- ``start(name, args, log=…)``: ``python *args`` serving while the bench measures (a scoring or dispatch
  worker, the no-op server); ``watching(work, *children)`` awaits ``work`` and raises ``ChildDied`` as
  soon as one of ``children`` exits first.
- ``service_env(variables)``: the environment of a service the bench starts beside the stack.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from shared.settings import REPO_ROOT

T = TypeVar("T")
TAIL_LINES = 30


class ChildDied(RuntimeError):
    """A process the bench started exited before the bench was done with it, or failed."""

    def __init__(self, name: str, returncode: int | None, output: str) -> None:
        self.name = name
        self.returncode = returncode
        self.tail = last_lines(output)
        super().__init__(f"{name} exited with status {returncode}; the last lines it wrote:\n{self.tail}")


def last_lines(output: str, lines: int = TAIL_LINES) -> str:
    kept = output.splitlines()[-lines:]
    return "\n".join(f"  | {line}" for line in kept) if kept else "  (it wrote nothing)"


def service_env(variables: Mapping[str, str]) -> dict[str, str]:
    """``variables`` over this process's environment, for a service started beside the stack. It runs in
    the bench's GRIDLOOP_ENV (scripts/stack.sh runs the stack's services as dev): the database and the
    secrets it is given are the stack's, development defaults included, which any other env refuses."""
    return {**os.environ, **variables, "GRIDLOOP_ENV": os.environ.get("GRIDLOOP_ENV", "dev")}


def run(
    name: str, args: Sequence[str], *, program: str = sys.executable, env: Mapping[str, str] | None = None
) -> str:
    """``program *args`` (``python`` unless told) from the repository's root, to its end: its stdout. What
    it wrote on stderr is passed on to ours; when it fails, ``ChildDied`` carries the last lines it wrote
    (stderr last: a compiler may report on stdout)."""
    result = subprocess.run(
        [program, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ChildDied(name, result.returncode, "\n".join([result.stdout, result.stderr]))
    sys.stderr.write(result.stderr)
    return result.stdout


@dataclass
class Child:
    """A process started by ``start``, writing stdout and stderr to ``log``."""

    name: str
    process: asyncio.subprocess.Process
    log: Path

    def died(self) -> ChildDied:
        output = self.log.read_text(errors="replace") if self.log.exists() else ""
        return ChildDied(self.name, self.process.returncode, output)

    async def stop(self, grace: float = 60) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds."""
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start(name: str, args: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None) -> Child:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=REPO_ROOT, env=env, stdout=out, stderr=out
        )
    return Child(name, process, log)


async def watching(work: Awaitable[T], *children: Child) -> T:
    """``work``'s result; ``ChildDied`` as soon as one of ``children`` exits before ``work`` is done
    (``work`` is then cancelled)."""
    task = asyncio.ensure_future(work)
    exits = {asyncio.ensure_future(child.process.wait()): child for child in children}
    try:
        await asyncio.wait([task, *exits], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        raise next(child for waiter, child in exits.items() if waiter.done()).died()
    finally:
        for future in (task, *exits):
            future.cancel()
        await asyncio.gather(task, *exits, return_exceptions=True)
