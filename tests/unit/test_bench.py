"""The bench's own machinery: the processes it starts (bench/children.py) fail it at once with what they
wrote when they die, and a service it starts beside the stack accepts the stack's settings; it sees the
stack quiet when it is."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from bench import children
from bench.__main__ import pending_messages
from bench.scoring import scoring_child_env
from services.scoring.settings import ScoringSettings
from shared.settings import DEV_DATABASE_URL

DIES = "import sys; print('starting'); sys.stderr.write('settings refused: env=test\\n'); sys.exit(3)"
LIVES = "import time; time.sleep(60)"


async def test_a_bench_fails_at_once_with_the_error_of_a_child_that_died(tmp_path: Path) -> None:
    child = await children.start("the child", ["-c", DIES], log=tmp_path / "child.log")
    started = time.monotonic()
    with pytest.raises(children.ChildDied) as died:
        await children.watching(asyncio.sleep(60), child)
    assert time.monotonic() - started < 30
    assert died.value.returncode == 3
    assert "settings refused: env=test" in str(died.value)
    assert "the child exited with status 3" in str(died.value)


async def test_the_work_ends_as_usual_while_the_children_live(tmp_path: Path) -> None:
    child = await children.start("the child", ["-c", LIVES], log=tmp_path / "child.log")
    try:
        assert await children.watching(asyncio.sleep(0.05, result=42), child) == 42
        assert child.process.returncode is None
    finally:
        await child.stop()
    assert child.process.returncode is not None


async def test_the_works_own_error_is_not_taken_for_a_childs(tmp_path: Path) -> None:
    async def fails() -> None:
        raise ValueError("the bench's own")

    child = await children.start("the child", ["-c", LIVES], log=tmp_path / "child.log")
    try:
        with pytest.raises(ValueError, match="the bench's own"):
            await children.watching(fails(), child)
    finally:
        await child.stop()


def test_a_child_run_to_its_end_gives_its_stdout() -> None:
    assert children.run("the child", ["-c", "print('{\"rate\": 1}')"]).strip() == '{"rate": 1}'


def test_a_child_run_to_its_end_that_fails_raises_with_the_end_of_its_stderr() -> None:
    noise = "; ".join(f"print({n}, file=sys.stderr)" for n in range(100))
    with pytest.raises(children.ChildDied) as died:
        children.run("the child", ["-c", f"import sys; {noise}; raise SystemExit('no broker at :1')"])
    assert died.value.returncode == 1
    assert "no broker at :1" in died.value.tail
    assert "  | 99" in died.value.tail
    assert "  | 5\n" not in died.value.tail  # the last lines only


def test_the_benchs_scoring_accepts_the_stack_development_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make bench` against `make up`: the scoring it starts is given the stack's (development) database,
    and must start on it rather than refuse it."""
    monkeypatch.delenv("GRIDLOOP_ENV", raising=False)
    env = scoring_child_env("127.0.0.1:9092", DEV_DATABASE_URL, "bench_scoring_x", "topic", batched=True)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = ScoringSettings()
    assert settings.database_url.get_secret_value() == DEV_DATABASE_URL
    assert settings.db_schema == "bench_scoring_x"


def test_a_child_runs_in_the_benchs_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDLOOP_ENV", "prod")
    assert children.service_env({"GRIDLOOP_ENV": "test"})["GRIDLOOP_ENV"] == "prod"
    monkeypatch.delenv("GRIDLOOP_ENV")
    assert children.service_env({"GRIDLOOP_ENV": "test"})["GRIDLOOP_ENV"] == "dev"


def test_the_pending_messages_are_the_lag_gauges_summed() -> None:
    """Dispatch's gauge leaves its changelog out (tests/unit/dispatch/test_dispatch_lag.py)."""
    metrics = "\n".join(
        [
            "# HELP gridloop_dispatch_consumer_lag_messages Messages behind",
            'gridloop_dispatch_consumer_lag_messages{topic="gridloop.reports"} 0.0',
            'gridloop_dispatch_consumer_lag_messages{topic="gridloop.case-events"} 2.0',
        ]
    )
    assert pending_messages(metrics) == 2
    assert pending_messages(metrics.replace('reports"} 0.0', 'reports"} 3.0')) == 5


def test_a_failing_childs_stdout_is_kept_too() -> None:
    """A compiler (the console's vue-tsc) reports its errors on stdout."""
    with pytest.raises(children.ChildDied) as died:
        children.run("the build", ["-c", "print('error TS2322: not assignable'); raise SystemExit(2)"])
    assert "error TS2322: not assignable" in died.value.tail


def test_every_bench_starts_its_processes_through_children() -> None:
    """A process started elsewhere could die unnoticed while its bench waits out a deadline."""
    bench = Path(__file__).resolve().parents[2] / "bench"
    offenders = [
        str(path.relative_to(bench))
        for path in bench.rglob("*.py")  # the packages of the larger benches (bench/dispatch/) too
        if path != bench / "children.py"
        and re.search(
            r"^\s*(import subprocess|from subprocess import)|create_subprocess_", path.read_text(), re.M
        )
    ]
    assert not offenders, f"start processes with bench.children: {offenders}"
