"""What the demo and the benches show a person (tools/display.py): tables whose columns line up with
Chinese names in them, on a terminal and in a log, and progress bars only on a terminal."""

from __future__ import annotations

import ast
import io
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from bench.__main__ import Figure, print_table
from tools import display
from tools.demo import ranking_table

ROOT = Path(__file__).resolve().parents[2]
SEPARATORS = "│┼"


def separator_columns(line: str) -> list[int]:
    """The display columns (a Chinese character is two) at which ``line`` has a column separator."""
    columns, at = [], 0
    for char in line:
        if char in SEPARATORS:
            columns.append(at)
        at += cell_len(char)
    return columns


def assert_lines_up(rendered: str, rows: int) -> None:
    lines = [line for line in rendered.splitlines() if line.strip()]
    assert len(lines) == rows + 2, f"a row wrapped:\n{rendered}"  # the header, its rule, one line a row
    first = separator_columns(lines[0])
    assert first, rendered
    for line in lines:
        assert separator_columns(line) == first, f"misaligned:\n{rendered}"


def ranked(rank: int | None, subject_id: str, name: str | None, score: str | None) -> dict[str, Any]:
    return {
        "rank": rank,
        "subject_id": subject_id,
        "name": name,
        "counters": {"due_to_close": 12, "closed": 11, "closed_on_time": 9, "reworks": 1},
        "indicators": [
            {"name": "closure_rate", "value": "91.67"},
            {"name": "on_time_closure_rate", "value": "75.00"},
            {"name": "handling_rate", "value": None},
        ],
        "score": score,
        "grade": "优秀" if score else None,
    }


def test_a_ranking_with_chinese_names_lines_up_in_a_log() -> None:
    items = [
        ranked(1, "gw-yc-001", "王小明", "98.50"),
        ranked(2, "g-tinghu-wenfeng-01", "盐城市亭湖区文峰街道第一网格", "87.25"),
        ranked(3, "gw-yc-002", "Anna Schmidt", "60.00"),
        ranked(None, "gw-yc-003", None, None),
    ]
    out = io.StringIO()  # not a terminal: rich would assume 80 columns
    display.print_table(ranking_table(items), file=out)
    assert "盐城市亭湖区文峰街道第一网格" in out.getvalue()
    assert_lines_up(out.getvalue(), rows=len(items))


def test_the_bench_table_lines_up(capsys: pytest.CaptureFixture[str]) -> None:
    figures = [
        Figure("intake_accepted_reports_per_second", 1234.5, "1/s", 2345.6, "noop"),
        Figure("end_to_end_post_to_case_assigned_p99", 0.0123, "s"),
        Figure("dispatch_index_match_at_1000000_open_cases", 3.2, "µs"),
    ]
    print_table(figures)
    assert_lines_up(capsys.readouterr().out, rows=len(figures))


def test_the_check_sees_a_misaligned_table() -> None:
    """The f-string padding the tables had: a Chinese name shifts the columns after it."""
    lines = [f"{'subject':<10} │ {'score':>5}", f"{'王小明':<10} │ {'98.5':>5}", f"{'gw-1':<10} │ {'7':>5}"]
    with pytest.raises(AssertionError, match="misaligned"):
        assert_lines_up("\n".join(lines), rows=1)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("file", "drawn"), [(io.StringIO(), False), (Terminal(), True)])
def test_a_progress_bar_is_drawn_only_on_a_terminal(file: io.StringIO, drawn: bool) -> None:
    bar = display.progress(total=3, desc="cases", unit="case", file=file)
    for _ in range(3):
        bar.update(1)
    bar.close()
    assert bool(file.getvalue()) is drawn


def test_every_progress_bar_goes_through_display() -> None:
    """tqdm draws into logs unless told ``disable=None``; tools/display.py is the one place that does."""
    allowed = ROOT / "tools" / "display.py"
    offenders = []
    for tree in ("bench", "tools", "scripts", "services", "shared"):
        for path in (ROOT / tree).rglob("*.py"):
            if path == allowed:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                if any(name.split(".")[0] == "tqdm" for name in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"tqdm used directly (use tools.display.progress): {offenders}"
