"""``omnirouter erlang``: staffing figures from Erlang C (or Erlang A with patience)."""

from __future__ import annotations

import argparse
import json
import math
import sys

from omnirouter import erlang
from omnirouter.errors import ErrorDetail, ValidationError

NAME = "erlang"
HELP = "Service level, ASA and occupancy for a staffing (Erlang C, or Erlang A with --patience)."


#: The largest staffing the command searches or shows.
_MAX_AGENTS = 100_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--arrivals-per-hour", type=float, required=True, help="offered arrivals per hour"
    )
    parser.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
    parser.add_argument(
        "--agents",
        default=None,
        help="agents on duty: a number or a range like 8-14 (default: around the staffing "
        "that meets --target)",
    )
    parser.add_argument(
        "--threshold", type=float, default=20.0, help="service-level threshold, seconds"
    )
    parser.add_argument(
        "--target", type=float, default=0.8, help="service-level goal, e.g. 0.8 (default)"
    )
    parser.add_argument(
        "--patience", type=float, default=None, help="mean patience, seconds (Erlang A)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _agents_range(text: str) -> range:
    low, _, high = text.partition("-")
    try:
        first = int(low)
        last = int(high) if high else first
    except ValueError:
        raise ValidationError(
            "omnirouter erlang",
            [ErrorDetail(("--agents",), f"{text!r} is not a number or a range like 8-14")],
        ) from None
    if first < 1 or last < first or last > _MAX_AGENTS or last - first > 1_000:
        raise ValidationError(
            "omnirouter erlang",
            [
                ErrorDetail(
                    ("--agents",),
                    f"{text!r} must be ascending from 1 to {_MAX_AGENTS:,}, at most 1,000 rows",
                )
            ],
        )
    return range(first, last + 1)


def _check(args: argparse.Namespace) -> None:
    problems = []
    if not (args.arrivals_per_hour >= 0 and math.isfinite(args.arrivals_per_hour)):
        problems.append(ErrorDetail(("--arrivals-per-hour",), "must be a finite number >= 0"))
    if not (args.aht > 0 and math.isfinite(args.aht)):
        problems.append(ErrorDetail(("--aht",), "must be a finite number of seconds > 0"))
    if not (args.threshold >= 0 and math.isfinite(args.threshold)):
        problems.append(ErrorDetail(("--threshold",), "must be a finite number of seconds >= 0"))
    if not 0 < args.target < 1:
        problems.append(ErrorDetail(("--target",), "must lie strictly between 0 and 1"))
    if args.patience is not None and not (args.patience > 0 and math.isfinite(args.patience)):
        problems.append(ErrorDetail(("--patience",), "must be a finite number of seconds > 0"))
    if problems:
        raise ValidationError("omnirouter erlang", problems)


def run(args: argparse.Namespace) -> int:
    _check(args)
    traffic = args.arrivals_per_hour * args.aht / 3600.0
    if args.patience is None:
        needed = erlang.agents_for_service_level(
            traffic, args.aht, args.threshold, args.target, max_agents=_MAX_AGENTS
        )
    else:
        needed = erlang.agents_for_service_level_a(
            traffic, args.aht, args.threshold, args.target, args.patience, max_agents=_MAX_AGENTS
        )
    if args.agents is not None:
        staffing = _agents_range(args.agents)
    else:
        staffing = range(max(1, needed - 2), needed + 3)
    rows = []
    for agents in staffing:
        row: dict[str, float | int | None] = {"agents": agents}
        if args.patience is None:
            row["p_all_busy"] = erlang.erlang_c(traffic, agents)
            row["service_level"] = erlang.service_level(traffic, agents, args.aht, args.threshold)
            row["asa"] = erlang.asa(traffic, agents, args.aht)
            row["occupancy"] = erlang.occupancy(traffic, agents)
        else:
            result = erlang.erlang_a(traffic, agents, args.aht, args.patience, args.threshold)
            row.update(
                p_all_busy=result.p_all_busy,
                service_level=result.service_level,
                asa=result.asa_answered,
                occupancy=result.occupancy,
                p_abandon=result.p_abandon,
            )
        rows.append(row)
    model = "erlang_c" if args.patience is None else "erlang_a"
    if args.json:
        document = {
            "traffic_erlangs": traffic,
            "model": model,
            f"agents_for_target_{model}": needed,
            "rows": [
                {key: (None if value == float("inf") else value) for key, value in row.items()}
                for row in rows
            ],
        }
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    name = "Erlang C" if args.patience is None else f"Erlang A, patience {args.patience:g} s"
    print(
        f"offered load {traffic:.2f} Erlangs ({name}); {name.split(',')[0]} needs {needed} "
        f"agents for {100 * args.target:.0f}% within {args.threshold:g} s"
    )
    header = (
        f"{'agents':>6}  {'P(all busy)':>11}  {'service level':>13}  {'ASA':>9}  {'occupancy':>9}"
    )
    if args.patience is not None:
        header += f"  {'abandoned':>9}"
    print(header)
    for row in rows:
        asa = row["asa"]
        asa_text = "inf" if asa == float("inf") else f"{asa:.1f} s"
        level = 100 * (row["service_level"] or 0)
        line = (
            f"{row['agents']:>6}  {row['p_all_busy']:>11.3f}  {level:>12.1f}%"
            f"  {asa_text:>9}  {100 * (row['occupancy'] or 0):>8.1f}%"
        )
        if args.patience is not None:
            line += f"  {100 * (row['p_abandon'] or 0):>8.1f}%"
        print(line)
    print(
        "P(all busy): share of arrivals who find every agent busy; ASA: mean wait of those answered"
    )
    return 0
