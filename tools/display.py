"""What the demo and the benches show a person: progress bars, only on a terminal, and tables whose
columns are measured in terminal cells, so that Chinese names (two cells a character) line up.

Every progress bar and table in tools/ and bench/ goes through here (a unit test holds them to it).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from tqdm import tqdm as Progress

__all__ = ["Progress", "print_table", "progress", "table"]

# Wide enough for any table here to be measured at its natural width.
MEASURING_WIDTH = 1000


def progress(*, total: float, desc: str, unit: str, file: TextIO | None = None, **options: Any) -> Progress:
    """A progress bar on ``file`` (stderr), drawn only when ``file`` is a terminal: in a log it would be a
    stream of carriage returns (tqdm's ``disable=None``)."""
    return Progress(total=total, desc=desc, unit=unit, file=file or sys.stderr, disable=None, **options)


def table(*columns: str, right: tuple[str, ...] = ()) -> Table:
    """A table with ``columns`` (those in ``right`` right-aligned), in the house style: a rule under the
    header, a line between columns, no frame."""
    made = Table(box=box.MINIMAL, show_edge=False, pad_edge=False)
    for name in columns:
        made.add_column(name, justify="right" if name in right else "left")
    return made


def print_table(made: Table, file: TextIO | None = None) -> None:
    """Print ``made`` at its natural width, so that no row wraps: on a narrow terminal and in a log (where
    rich assumes 80 columns) its columns still line up."""
    console = Console(file=file, width=MEASURING_WIDTH, highlight=False)
    console.width = console.measure(made).maximum
    console.print(made)
