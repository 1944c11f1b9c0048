"""``omnirouter simulate``: run scenarios through the real router and compare their KPIs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from omnirouter.simulation import compare, format_comparison, load_scenario

NAME = "simulate"
HELP = (
    "Simulate a TOML scenario (and policy variants with --compare) and print KPIs per "
    "channel, queue and team with 95 % confidence intervals."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="the scenario file (TOML)")
    parser.add_argument(
        "--compare",
        type=Path,
        nargs="+",
        default=[],
        metavar="OTHER",
        help="further scenario files (policy variants) run on the same seed",
    )
    parser.add_argument(
        "--replications", type=int, default=None, help="replications (default: the scenario's)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="run replications in parallel in this many local processes (default: 1); "
        "the results are the same whatever the number",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--no-progress", action="store_true", help="never show the progress bar on stderr"
    )


class _ProgressBar:
    """A one-line bar on a terminal, redrawn after each replication."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = round(width * done / total)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} replications"
            f"  {elapsed:.1f} s"
        )
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    if args.replications is not None and args.replications < 1:
        from omnirouter.errors import ErrorDetail, ValidationError

        raise ValidationError(
            "omnirouter simulate", [ErrorDetail(("--replications",), "must be >= 1")]
        )
    scenarios = [load_scenario(path) for path in [args.scenario, *args.compare]]
    progress = None
    if not args.no_progress and sys.stderr.isatty():
        progress = _ProgressBar(sys.stderr)
    started = time.perf_counter()
    reports = compare(
        scenarios,
        replications=args.replications,
        seed=args.seed,
        progress=progress,
        workers=args.workers,
    )
    wall = time.perf_counter() - started
    if args.json:
        document = {"reports": [report.to_json() for report in reports]}
        json.dump(document, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    for scenario, path in zip(scenarios, [args.scenario, *args.compare], strict=True):
        about = f": {scenario.description}" if scenario.description else ""
        print(f"{scenario.name} ({path}){about}")
    first = scenarios[0]
    customers = sum(report.customers for report in reports)
    print(
        f"{first.horizon_hours:g} h from {first.start.isoformat()}, warm-up "
        f"{first.warmup_hours:g} h, seed {reports[0].seed}; {customers:,} customers "
        f"simulated in {wall:.1f} s"
    )
    print()
    print(format_comparison(reports))
    return 0
