"""``omnirouter plan``: staffing per interval and team, shifts, and what-if growth."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.simulation import load_scenario

NAME = "plan"
HELP = (
    "Plan agents per interval and team so that every channel meets its service level, "
    "searched with simulations of the router and verified; optionally cover the plan "
    "with shift templates (--shifts) and plan a what-if (--grow chat=1.4)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="the scenario file (TOML)")
    parser.add_argument(
        "--interval", type=float, default=30.0, help="planning interval in minutes (default 30)"
    )
    parser.add_argument(
        "--shifts", type=Path, default=None, help="shift templates (TOML with [[shifts]])"
    )
    parser.add_argument(
        "--forecast",
        type=Path,
        default=None,
        help="forecast CSV: an interval column, then arrivals per hour per workload",
    )
    parser.add_argument(
        "--grow",
        action="append",
        default=[],
        metavar="NAME=FACTOR",
        help="what-if: multiply the arrivals of a channel, reason or workload (repeatable)",
    )
    parser.add_argument(
        "--cost",
        action="append",
        default=[],
        metavar="TEAM=PER_HOUR",
        help="hourly cost of a team's agent (repeatable; default 1 each)",
    )
    parser.add_argument(
        "--shrinkage", type=float, default=0.0, help="share of paid time off duty (default 0)"
    )
    parser.add_argument(
        "--replications", type=int, default=8, help="replications per candidate (default 8)"
    )
    parser.add_argument(
        "--verify",
        type=int,
        default=20,
        help="independent replications verifying the plan (default 20)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local worker processes (default: every core); the plan is the same whatever "
        "the number",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--no-progress", action="store_true", help="never show the progress bar on stderr"
    )


def _pairs(values: list[str], option: str) -> dict[str, float]:
    pairs: dict[str, float] = {}
    problems = []
    for value in values:
        name, sign, number = value.partition("=")
        try:
            factor = float(number)
        except ValueError:
            factor = math.nan
        if not sign or not name.strip() or not math.isfinite(factor):
            problems.append(ErrorDetail((option,), f"{value!r} is not NAME=NUMBER"))
            continue
        pairs[name.strip()] = factor
    if problems:
        raise ValidationError(f"omnirouter plan {option}", problems)
    return pairs


class _ProgressBar:
    """A one-line bar on a terminal: the stage, simulations of the batch, time so far."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.started = time.monotonic()
        self.batches = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        width = 24
        filled = round(width * done / total) if total else width
        if done == total:
            self.batches += 1
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] {stage:<7}"
            f" {done}/{total} simulations, batch {self.batches + (done < total)}"
            f"  {elapsed:.1f} s "
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from omnirouter.planning import compare_plans, load_shifts, plan_staffing, schedule_shifts

    grow = _pairs(args.grow, "--grow")
    if grow and args.forecast is not None:
        raise ValidationError(
            "omnirouter plan",
            [ErrorDetail(("--grow",), "grows the scenario's rates, not a forecast file")],
        )
    costs = _pairs(args.cost, "--cost")
    shifts = load_shifts(args.shifts) if args.shifts is not None else None
    scenario = load_scenario(args.scenario)
    variants = [("plan", scenario)]
    if grow:
        variants.append(("what-if", scenario.grow(**grow)))
    show = not args.no_progress and sys.stderr.isatty()
    plans = []
    rosters = []
    started = time.perf_counter()
    for label, variant in variants:
        bar = _ProgressBar(sys.stderr, label) if show else None
        plan = plan_staffing(
            variant,
            args.interval,
            workers=args.workers,
            hourly_cost=costs or None,
            shrinkage=args.shrinkage,
            replications=args.replications,
            verification_replications=args.verify,
            seed=args.seed,
            forecast=args.forecast,
            progress=bar,
        )
        plans.append(plan)
        if shifts is not None:
            rosters.append(schedule_shifts(plan, shifts, workers=args.workers, progress=bar))
        if bar is not None:
            bar.close()
    wall = time.perf_counter() - started
    if args.json:
        document: dict[str, Any] = {
            "plans": [plan.to_json() for plan in plans],
            "rosters": [
                {
                    "assignments": {name: dict(row) for name, row in roster.assignments.items()},
                    "paid_hours": roster.paid_hours,
                    "cost": roster.money,
                    "unmet": len(roster.unmet),
                }
                for roster in rosters
            ],
        }
        json.dump(document, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    for index, ((label, variant), plan) in enumerate(zip(variants, plans, strict=True)):
        growth = ", ".join(f"{name} x{factor:g}" for name, factor in grow.items())
        about = f" ({growth})" if label == "what-if" else ""
        print(f"{label}{about}: {variant.name}, {args.interval:g}-minute intervals")
        print(plan.table())
        if rosters:
            print()
            print(rosters[index].table())
        print()
    if len(plans) == 2:
        print(compare_plans(plans[0], plans[1]))
        print()
    simulations = sum(plan.simulations for plan in plans)
    print(f"{simulations:,} simulated days in {wall:.1f} s")
    return 0
