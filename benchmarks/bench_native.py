"""The compiled dispatch core against the pure-Python reference, with peers, in one run.

Every omnirouter figure is measured in a fresh process per core (the core is chosen at
import: ``OMNIROUTER_PURE_PYTHON=1`` selects the reference), the two cores alternating
within each repeat; peers run in the same rounds. Medians of the repeats, CPU time of
the measuring process by default (``--wall`` for wall time).

Workloads, as in the native core's goals:

1. the router cycle (submit → assign → complete) at 1,000 agents × 50 queues, against
   a bare ``heapq`` dispatch loop doing the same matching (``bench_routing``);
2. the router's cost growth from 10 to 10,000 agents at 50 queues;
3. scenario A (M/M/10, ``bench_simulation``): customers per second against Ciw and
   SimPy;
4. two skills, three groups, abandonment: omnirouter's simulator against a
   hand-written SimPy model of the same centre (below), with their figures side by
   side to show they simulate the same thing;
5. ``--memory``: peak resident memory of 1M arrivals of scenario A;
6. what a Python plug-in costs: the router cycle with blending rules (the core calls
   the rules' gate back on every capacity question it cannot answer from its cache).

    python benchmarks/bench_native.py                  # all but memory
    python benchmarks/bench_native.py --quick          # smaller, while developing
    python benchmarks/bench_native.py --memory         # with the 1M-arrival peaks
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

CORES = ("native", "python")
#: Two skills, three groups: who serves what.
GROUPS = {"billing": ({"billing"}, 4), "tech": ({"tech"}, 4), "both": ({"billing", "tech"}, 2)}
HANDLE_SECONDS = 240.0
PATIENCE_SECONDS = 180.0
#: Arrivals per hour of each skill: 85 % of the ten agents' capacity in all.
RATE_PER_HOUR = 0.85 * 10 / HANDLE_SECONDS * 3600.0 / 2


def two_skill_scenario(arrivals: int) -> Any:
    """The two-skill, three-group centre with abandonment, as an omnirouter scenario."""
    from omnirouter.simulation import Scenario

    return Scenario.model_validate(
        {
            "name": "two skills, three groups",
            "horizon_hours": arrivals / (2 * RATE_PER_HOUR),
            "replications": 1,
            "seed": 3,
            "teams": [
                {
                    "name": name,
                    "size": size,
                    "capacity": {"voice": 1},
                    "skills": dict.fromkeys(skills, 1),
                }
                for name, (skills, size) in GROUPS.items()
            ],
            "queues": [
                {
                    "name": skill,
                    "accepts": f"reason == '{skill}'",
                    "steps": [{"target": f"skills.{skill} >= 1"}],
                }
                for skill in ("billing", "tech")
            ],
            "workload": [
                {
                    "name": skill,
                    "channel": "voice",
                    "reason": skill,
                    "rate_per_hour": RATE_PER_HOUR,
                    "handle_time": {"distribution": "exponential", "mean_seconds": HANDLE_SECONDS},
                    "patience": {"distribution": "exponential", "mean_seconds": PATIENCE_SECONDS},
                }
                for skill in ("billing", "tech")
            ],
        }
    )


def run_omnirouter_two_skill(arrivals: int, timer: Callable[[], float]) -> dict[str, float]:
    from omnirouter.simulation import Simulation

    simulation = Simulation(two_skill_scenario(arrivals))
    started = timer()
    result = simulation.run()
    seconds = timer() - started
    voice = result.channels["voice"]
    return {
        "seconds": seconds,
        "customers": result.customers,
        "abandonment": voice["abandonment_rate"],
        "asa": voice["asa"],
    }


class _Customer:
    __slots__ = ("arrived", "gone", "skill", "taken")

    def __init__(self, skill: str, arrived: float, taken: Any) -> None:
        self.skill = skill
        self.arrived = arrived
        self.taken = taken
        self.gone = False


def run_simpy_two_skill(arrivals: int, timer: Callable[[], float]) -> dict[str, float]:
    """The same centre written by hand in SimPy: longest-idle agent among those with the
    skill; a freed agent takes the longest-waiting customer it can serve; exponential
    handle times and patience; one random stream per source and purpose."""
    import simpy

    env = simpy.Environment()
    streams = {name: random.Random(f"{name}-3") for name in ("arrive", "handle", "patience")}
    skills_of: list[set[str]] = []
    for skills, size in GROUPS.values():
        skills_of.extend([skills] * size)
    idle_since = dict.fromkeys(range(len(skills_of)), 0.0)
    waiting: dict[str, deque[_Customer]] = {"billing": deque(), "tech": deque()}
    tally = {"arrived": 0, "abandoned": 0, "answered": 0, "wait": 0.0}

    def work(agent: int) -> Any:
        yield env.timeout(streams["handle"].expovariate(1 / HANDLE_SECONDS))
        best: _Customer | None = None
        for skill in skills_of[agent]:
            line = waiting[skill]
            while line and line[0].gone:
                line.popleft()
            if line and (best is None or line[0].arrived < best.arrived):
                best = line[0]
        if best is None:
            idle_since[agent] = env.now
            return
        waiting[best.skill].popleft()
        answer(best.arrived)
        best.taken.succeed()
        env.process(work(agent))

    def answer(arrived: float) -> None:
        tally["answered"] += 1
        tally["wait"] += env.now - arrived

    def customer(skill: str) -> Any:
        tally["arrived"] += 1
        free = [a for a in idle_since if skill in skills_of[a]]
        if free:
            agent = min(free, key=lambda a: (idle_since[a], a))
            del idle_since[agent]
            answer(env.now)
            env.process(work(agent))
            return
        me = _Customer(skill, env.now, env.event())
        waiting[skill].append(me)
        patience = env.timeout(streams["patience"].expovariate(1 / PATIENCE_SECONDS))
        outcome = yield me.taken | patience
        if me.taken not in outcome:
            me.gone = True
            tally["abandoned"] += 1

    def source() -> Any:
        rate = 2 * RATE_PER_HOUR / 3600.0
        for _ in range(arrivals):
            yield env.timeout(streams["arrive"].expovariate(rate))
            env.process(customer(streams["arrive"].choice(("billing", "tech"))))

    env.process(source())
    started = timer()
    env.run()
    seconds = timer() - started
    return {
        "seconds": seconds,
        "customers": tally["arrived"],
        "abandonment": tally["abandoned"] / tally["arrived"],
        "asa": tally["wait"] / tally["answered"],
    }


# ---------------------------------------------------------------------------- one figure


def measure(what: str, size: int, cycles: int, timer: Callable[[], float]) -> dict[str, Any]:
    """One figure in this process (a worker, or the parent for peers)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if what in ("router", "floor"):
        import bench_routing as routing

        work = routing.make_interactions(cycles + size, 50, seed=size)
        runner = routing.run_router if what == "router" else routing.run_floor
        return {"us_per_cycle": runner(size, 50, work, timer) * 1e6}
    if what in ("blended", "unblended"):
        import bench_blending as blending
        import bench_routing as routing

        work = routing.make_interactions(cycles + size, 50, seed=size)
        seconds = blending.run_router(size, 50, work, what == "blended", timer)
        return {"us_per_cycle": seconds * 1e6}
    if what in ("scenario_a", "ciw", "simpy"):
        import bench_simulation as simulation

        tool = {"scenario_a": "omnirouter"}.get(what, what)
        seconds, customers, _ = simulation.TOOLS[tool](size, timer=timer)
        return {"per_second": customers / seconds}
    if what in ("two_skill", "simpy_two_skill"):
        run = run_omnirouter_two_skill if what == "two_skill" else run_simpy_two_skill
        figures = run(size, timer)
        figures["per_second"] = figures["customers"] / figures["seconds"]
        return figures
    if what == "memory":
        import bench_simulation as simulation

        simulation.TOOLS["omnirouter"](size)
        return {"peak_mb": simulation.own_peak_kb() / 1024.0}
    raise SystemExit(f"unknown figure {what!r}")


def in_fresh_process(core: str, what: str, size: int, cycles: int, wall: bool) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("OMNIROUTER_PURE_PYTHON", None)
    if core == "python":
        env["OMNIROUTER_PURE_PYTHON"] = "1"
    command = [sys.executable, __file__, "--worker", what, str(size), str(cycles)]
    if wall:
        command.append("--wall")
    output = subprocess.check_output(command, env=env, text=True)
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    if figures.pop("core") != core:
        raise SystemExit(f"the worker did not run the {core} core")
    return figures


def rounds(
    whats: dict[str, str], size: int, cycles: int, repeats: int, wall: bool, key: str
) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Medians of ``key`` per label (label → 'core:<core>:<what>' or 'peer:<what>'), and
    each label's figures of the last round."""
    seen: dict[str, list[float]] = {label: [] for label in whats}
    last: dict[str, dict[str, Any]] = {}
    for _ in range(repeats):
        for label, spec in whats.items():
            kind, *rest = spec.split(":")
            if kind == "core":
                figures = in_fresh_process(rest[0], rest[1], size, cycles, wall)
            else:
                figures = in_fresh_process("native", rest[0], size, cycles, wall)
            seen[label].append(figures[key])
            last[label] = figures
    return {label: statistics.median(values) for label, values in seen.items()}, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=3, metavar=("WHAT", "SIZE", "CYCLES"))
    parser.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory", action="store_true", help="peak memory of 1M arrivals")
    args = parser.parse_args()
    timer = time.perf_counter if args.wall else time.process_time
    if args.worker:
        from omnirouter.dispatch import implementation

        what, size, cycles = args.worker[0], int(args.worker[1]), int(args.worker[2])
        figures = measure(what, size, cycles, timer)
        print(json.dumps({"core": implementation, **figures}))
        return 0
    repeats = 3 if args.quick else args.repeats
    cycles = 5_000 if args.quick else 20_000
    arrivals = 20_000 if args.quick else 80_000
    clock = "wall" if args.wall else "CPU"
    print(f"Medians of {repeats} rounds, {clock} time, each core in fresh processes.\n")

    print(
        "| agents × queues | native µs/cycle | python µs/cycle | heapq µs/cycle"
        " | native/floor | python/floor | python/native |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    cycle_costs: dict[str, dict[int, float]] = {core: {} for core in CORES}
    for agents in (10, 1_000, 10_000) if not args.quick else (10, 1_000):
        found, _ = rounds(
            {"native": "core:native:router", "python": "core:python:router", "floor": "peer:floor"},
            agents,
            cycles,
            repeats,
            args.wall,
            "us_per_cycle",
        )
        for core in CORES:
            cycle_costs[core][agents] = found[core]
        print(
            f"| {agents:,} × 50 | {found['native']:.2f} | {found['python']:.2f}"
            f" | {found['floor']:.2f} | {found['native'] / found['floor']:.1f}×"
            f" | {found['python'] / found['floor']:.1f}×"
            f" | {found['python'] / found['native']:.2f}× |"
        )
    largest = max(cycle_costs["native"])
    for core in CORES:
        growth = cycle_costs[core][largest] / cycle_costs[core][10]
        print(f"\ncost growth 10 → {largest:,} agents, {core}: {growth:.2f}×", end="")
    print("\n")
    found, _ = rounds(
        {
            f"{core} {kind}": f"core:{core}:{kind}"
            for core in CORES
            for kind in ("unblended", "blended")
        },
        1_000,
        cycles,
        repeats,
        args.wall,
        "us_per_cycle",
    )
    print("\nA Python plug-in: blending rules (a Python gate the core calls back), 1,000 × 50:")
    print("| core | without µs/cycle | with µs/cycle | cost of the rules |")
    print("|---|---:|---:|---:|")
    for core in CORES:
        without, with_rules = found[f"{core} unblended"], found[f"{core} blended"]
        print(f"| {core} | {without:.2f} | {with_rules:.2f} | {with_rules / without - 1:+.0%} |")
    print()

    found, _ = rounds(
        {
            "native": "core:native:scenario_a",
            "python": "core:python:scenario_a",
            "ciw": "peer:ciw",
            "simpy": "peer:simpy",
        },
        arrivals,
        0,
        repeats,
        args.wall,
        "per_second",
    )
    print(f"Scenario A, {arrivals:,} arrivals, customers per second:")
    print(
        "| native | python | Ciw | SimPy | native/Ciw | native/SimPy | python/Ciw | python/SimPy |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {found['native']:,.0f} | {found['python']:,.0f} | {found['ciw']:,.0f}"
        f" | {found['simpy']:,.0f} | {found['native'] / found['ciw']:.2f}×"
        f" | {found['native'] / found['simpy']:.2f}× | {found['python'] / found['ciw']:.2f}×"
        f" | {found['python'] / found['simpy']:.2f}× |\n"
    )

    two = {
        "native": "core:native:two_skill",
        "python": "core:python:two_skill",
        "simpy": "peer:simpy_two_skill",
    }
    found, figures = rounds(two, arrivals, 0, repeats, args.wall, "per_second")
    print(f"Two skills, three groups, abandonment, {arrivals:,} arrivals:")
    print("| | customers/s | vs SimPy | abandoned | ASA s |")
    print("|---|---:|---:|---:|---:|")
    for label in two:
        print(
            f"| {label} | {found[label]:,.0f} | {found[label] / found['simpy']:.2f}×"
            f" | {figures[label]['abandonment']:.3f} | {figures[label]['asa']:.1f} |"
        )

    if args.memory:
        print("\nPeak memory, 1,000,000 arrivals of scenario A:")
        for core in CORES:
            peak = in_fresh_process(core, "memory", 1_000_000, 0, args.wall)["peak_mb"]
            print(f"  {core}: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
