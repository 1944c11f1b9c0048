"""``omnirouter simulate``: run scenarios through the real router and compare their KPIs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.limits import DEFAULT_LIMITS
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
        "--allow-files-outside",
        action="store_true",
        help="let a scenario name files outside its own folder (extends, replay, strategy)",
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


def _check_replications(replications: int | None) -> None:
    limit = DEFAULT_LIMITS.replications
    if replications is not None and not 1 <= replications <= limit:
        raise ValidationError(
            "omnirouter simulate",
            [
                ErrorDetail(
                    ("--replications",), f"must be from 1 to {limit:,} (Limits.replications)"
                )
            ],
        )


def customers_per_day(customers: int, replications: int, horizon_hours: float) -> float:
    """Customers one simulated day offers: one replication's, scaled to 24 h if longer."""
    per_run = customers / replications if replications else 0.0
    return per_run if horizon_hours <= 24 else per_run * 24.0 / horizon_hours


def run(args: argparse.Namespace) -> int:
    _check_replications(args.replications)
    if args.seed is not None and not -(2**63) <= args.seed < 2**63:
        raise ValidationError(
            "omnirouter simulate", [ErrorDetail(("--seed",), "must fit in 64 bits")]
        )
    scenarios = [
        load_scenario(path, allow_files_outside=args.allow_files_outside)
        for path in [args.scenario, *args.compare]
    ]
    progress = None
    if not args.no_progress and sys.stderr.isatty():
        progress = _ProgressBar(sys.stderr)
    started = time.perf_counter()
    reports = compare(scenarios, replications=args.replications, seed=args.seed, progress=progress)
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
    runs = len(reports[0].replications)
    per_day = customers_per_day(reports[0].customers, runs, first.horizon_hours)
    day = "day" if first.horizon_hours <= 24 else "day (average)"
    policies = f" × {len(reports)} policies" if len(reports) > 1 else ""
    print(
        f"{first.horizon_hours:g} h from {first.start.isoformat()}, warm-up "
        f"{first.warmup_hours:g} h, seed {reports[0].seed}; {per_day:,.0f} customers per "
        f"simulated {day}, {runs} replications{policies}"
    )
    print()
    print(format_comparison(reports))
    print(f"simulated in {wall:.1f} s")
    return 0
