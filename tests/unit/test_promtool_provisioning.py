"""promtool on a fresh machine: `make unit` provisions it (scripts/promtool.sh), and the monitoring tests
that need it fail, never skip, when it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "promtool.sh"


@pytest.fixture
def bin_dir() -> Iterator[Path]:
    """A PATH of its own holding only what the script needs (bash, dirname), readable by any user: the
    machine's own promtool, if it has one, is not on it."""
    path = Path(tempfile.mkdtemp(prefix="gridloop-path-"))
    try:
        path.chmod(0o755)
        for tool in ("bash", "dirname"):
            found = shutil.which(tool)
            assert found is not None, tool
            (path / tool).symlink_to(found)
        yield path
    finally:
        shutil.rmtree(path)


def run_unprivileged(bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """scripts/promtool.sh with ``bin_dir`` as PATH, as an ordinary user (nobody, when the tests run as
    root), so that it cannot install anything."""
    command = [str(SCRIPT), *args]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    env = {"PATH": str(bin_dir), "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    # setpriv itself is found on the test's PATH; the script then runs with env's PATH.
    executable = shutil.which(command[0])
    assert executable is not None, command[0]
    return subprocess.run(
        [executable, *command[1:]], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_without_root_the_script_fails_naming_the_package(bin_dir: Path) -> None:
    result = run_unprivileged(bin_dir, "install")
    assert result.returncode != 0
    assert "promtool not found" in result.stderr
    assert "apt-get install prometheus" in result.stderr


def test_the_script_installs_nothing_when_promtool_is_there(bin_dir: Path) -> None:
    fake = bin_dir / "promtool"
    fake.write_text("#!/bin/sh\necho 'promtool, version 0 (fake)'\n")
    fake.chmod(0o755)
    result = run_unprivileged(bin_dir, "install")
    assert result.returncode == 0, result.stderr
    assert run_unprivileged(bin_dir, "path").stdout.strip() == str(fake)


def test_the_monitoring_tests_fail_not_skip_without_promtool(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            "tests/unit/test_deploy_monitoring.py",
            "-k",
            "test_promtool_check_rules",
        ],
        cwd=ROOT,
        env={**os.environ, "PATH": str(empty)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "promtool not found" in output
    assert "skipped" not in output
    assert "scripts/promtool.sh install" in output
