"""Staffing planning on the bank example: a full day in 30-minute intervals.

Plans ``examples/bank.toml`` (advisors and service desk; e-mail, phone, callbacks and
chat) with the default executor (a process pool over every core), reports the wall
and CPU time, the simulations run, the plan's agent-hours against the per-channel
Erlang plan, and the targets missed in the independent verification. Then plans the
same day in this process alone (1 worker; ``--repeats`` times, interleaved with more
default runs) for the speed-up, and checks that every run found the very same plan.

    python benchmarks/bench_planning.py               # one run each
    python benchmarks/bench_planning.py --repeats 3   # medians of three

Heavy: run it under the shared lock on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import omnirouter as om

BANK = Path(__file__).resolve().parent.parent / "examples" / "bank.toml"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def plan_once(workers: int | None) -> tuple[Any, float, float]:
    """(plan, wall seconds, CPU seconds of this process and its finished workers)."""
    scenario = om.simulation.load_scenario(BANK)
    cpu, wall = _cpu(), time.perf_counter()
    plan = om.planning.plan_staffing(scenario, 30, workers=workers)
    return plan, time.perf_counter() - wall, _cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    plan, wall, cpu = plan_once(None)
    cost, base = plan.cost.agent_hours, plan.baseline.cost.agent_hours
    print(f"bank day, 30-minute intervals, default executor: {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"simulated days: {plan.simulations}")
    print(plan.table())
    print()
    print("per-channel Erlang plan:")
    print(plan.baseline.table())
    print()
    print(
        f"agent-hours: plan {cost:g}, Erlang {base:g}, saving {base - cost:g}"
        f" ({(base - cost) / base:.1%}); missed in verification: plan {len(plan.unmet)},"
        f" Erlang {len(plan.baseline.unmet)}"
    )

    # The default executor is a process pool over every core (2 here): the speed-up
    # from 1 to 2 workers compares a run in this process with the default run.
    walls, cpus = [wall], [cpu]
    alone_walls, alone_cpus = [], []
    same = True
    for repeat in range(args.repeats):
        other, seconds, used = plan_once(1)
        alone_walls.append(seconds)
        alone_cpus.append(used)
        same = same and other.agents == plan.agents and repr(other.kpis) == repr(plan.kpis)
        if repeat + 1 < args.repeats:
            again, seconds, used = plan_once(None)
            walls.append(seconds)
            cpus.append(used)
            same = same and again.agents == plan.agents
    one, two = statistics.median(alone_walls), statistics.median(walls)
    print(
        f"1 worker: {one:.1f} s wall ({statistics.median(alone_cpus):.1f} s CPU); "
        f"default ({os.cpu_count()} workers): {two:.1f} s wall "
        f"({statistics.median(cpus):.1f} s CPU); speed-up {one / two:.2f}x "
        f"(medians of {args.repeats})"
    )
    print(f"same plan whatever the executor: {same}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
