"""`python -m bench.dispatch`: the dispatch figures alone (the package's docstring says which)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import bench.dispatch
from bench.__main__ import print_table
from bench.dispatch.figures import SIZES, dispatch_figures
from bench.dispatch.memory import index_memory
from bench.dispatch.per_report import in_process

RESULTS = Path(".bench/dispatch.json")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dispatch",
        description=bench.dispatch.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--reports", type=int, default=20_000, help="reports per run")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="city sizes in grids")
    parser.add_argument("--open-cases", type=int, default=1_000_000, help="0 skips the memory figure")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="only dispatch's own work per report (decode, triage, encode), without Kafka or faust",
    )
    args = parser.parse_args(argv)
    if args.in_process:
        print(json.dumps(in_process(args.reports)))
        return
    if args.memory_child:
        print(json.dumps(index_memory(args.memory_child)))
        return
    sizes = tuple(int(size) for size in args.sizes.split(","))
    figures = dispatch_figures(reports=args.reports, sizes=sizes, open_cases=args.open_cases)
    print_table(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
