"""Simulation speed: omnirouter (the full router in the loop) against Ciw and SimPy.

Scenario A is M/M/10 with 2 arrivals a minute and 4-minute exponential handle time,
FCFS, no abandonment (exact Erlang C: P(wait) 0.40918, ASA 49.10 s, P(wait <= 20 s)
0.65364, utilisation 0.8). Every tool simulates the same number of arrivals; the
script prints customers per wall second (median of repeats) and the ratios, then
the cost per customer as agents grow 10 -> 100 -> 1,000 at the same utilisation and
as queues grow 1 -> 10 -> 50 (10 agents each), and the peak memory of 1M arrivals
(``--memory``, each in a fresh process). ``--split`` divides omnirouter's cost per
customer between the router and the simulator around it: the router calls of a run
are recorded, then replayed on a fresh router (same subscriptions, handlers that do
nothing) and timed alone; the simulator's own cost is the rest.

    python benchmarks/bench_simulation.py                 # brief run
    python benchmarks/bench_simulation.py --arrivals 200000 --repeats 5 --memory
    python benchmarks/bench_simulation.py --cpu           # CPU time (busy machine)
    python benchmarks/bench_simulation.py --cpu --split   # router vs simulator

Scenario A runs the tools alternately within each repeat, so a noisy stretch of the
machine hits all of them; ``--cpu`` times with the process's CPU clock.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from omnirouter import Interaction, erlang
from omnirouter.simulation import Scenario, Simulation


def scenario_a(arrivals: int, agents: int = 10, queues: int = 1) -> Scenario:
    """M/M/N at utilisation 0.8 (rate 0.2·N per minute), ``queues`` of ``agents`` each."""
    rate_per_hour = 0.8 * agents / 240.0 * 3600.0
    hours = arrivals / (rate_per_hour * queues)
    teams = [
        {
            "name": f"team{index}",
            "size": agents,
            "capacity": {"voice": 1},
            "skills": {f"skill{index}": 1},
        }
        for index in range(queues)
    ]
    queue_specs = [
        {
            "name": f"q{index}",
            "accepts": f"reason == 'r{index}'",
            "steps": [{"target": f"skills.skill{index} >= 1"}],
        }
        for index in range(queues)
    ]
    workload = [
        {
            "name": f"w{index}",
            "channel": "voice",
            "reason": f"r{index}",
            "rate_per_hour": rate_per_hour,
            "handle_time": {"distribution": "exponential", "mean_seconds": 240.0},
        }
        for index in range(queues)
    ]
    return Scenario.model_validate(
        {
            "name": f"M/M/{agents} x {queues}",
            "horizon_hours": hours,
            "replications": 1,
            "seed": 1,
            "teams": teams,
            "queues": queue_specs if queues > 1 else [],
            "workload": workload,
        }
    )


Timer = Callable[[], float]


def run_omnirouter(
    arrivals: int, agents: int = 10, queues: int = 1, timer: Timer = time.perf_counter
) -> tuple[float, int, dict]:
    simulation = Simulation(scenario_a(arrivals, agents, queues))
    gc.collect()
    started = timer()
    result = simulation.run()
    wall = timer() - started
    return wall, result.customers, result.channels["voice"]


def run_ciw(
    arrivals: int, agents: int = 10, queues: int = 1, timer: Timer = time.perf_counter
) -> tuple[float, int, dict]:
    import ciw

    rate = 0.8 * agents / 4.0  # per minute
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate)] * queues,
        service_distributions=[ciw.dists.Exponential(rate=0.25)] * queues,
        number_of_servers=[agents] * queues,
        routing=[[0.0] * queues for _ in range(queues)],
    )
    ciw.seed(1)
    simulation = ciw.Simulation(network)
    gc.collect()
    started = timer()
    simulation.simulate_until_max_customers(arrivals, method="Arrive")
    wall = timer() - started
    records = simulation.get_all_records()
    waits = [record.waiting_time * 60.0 for record in records]
    figures = {
        "service_level": sum(wait <= 20.0 for wait in waits) / len(waits),
        "asa": statistics.fmean(waits),
    }
    return wall, arrivals, figures


def run_simpy(
    arrivals: int, agents: int = 10, queues: int = 1, timer: Timer = time.perf_counter
) -> tuple[float, int, dict]:
    import simpy

    rng = random.Random(1)
    env = simpy.Environment()
    rate = 0.8 * agents / 240.0  # per second
    servers = [simpy.Resource(env, capacity=agents) for _ in range(queues)]
    tally = [0, 0, 0.0]

    def customer(server: simpy.Resource):  # type: ignore[no-untyped-def]
        arrived = env.now
        with server.request() as request:
            yield request
            wait = env.now - arrived
            tally[0] += 1
            tally[1] += wait <= 20.0
            tally[2] += wait
            yield env.timeout(rng.expovariate(1 / 240.0))

    def source(server: simpy.Resource, count: int):  # type: ignore[no-untyped-def]
        for _ in range(count):
            yield env.timeout(rng.expovariate(rate))
            env.process(customer(server))

    for server in servers:
        env.process(source(server, arrivals // queues))
    gc.collect()
    started = timer()
    env.run()
    wall = timer() - started
    return wall, arrivals, {"service_level": tally[1] / tally[0], "asa": tally[2] / tally[0]}


Runner = Callable[..., tuple[float, int, dict]]
TOOLS: dict[str, Runner] = {"omnirouter": run_omnirouter, "ciw": run_ciw, "simpy": run_simpy}


def median_rate(
    runner: Runner, repeats: int, *args: int, timer: Timer = time.perf_counter
) -> tuple[float, float, dict]:
    """(customers per second, seconds per customer) medians, and the last figures."""
    rates, costs = [], []
    figures: dict = {}
    for _ in range(repeats):
        wall, customers, figures = runner(*args, timer=timer)
        rates.append(customers / wall)
        costs.append(wall / customers)
    return statistics.median(rates), statistics.median(costs), figures


def router_replay(
    arrivals: int, agents: int = 10, queues: int = 1
) -> Callable[[Timer], tuple[float, int]]:
    """A timed replay of the router calls of one scenario A run, on a fresh router.

    The recording run's router tells every call to a command listener; the replay
    makes the same calls at the same virtual times on a router built the same way,
    subscribed to the same event kinds with handlers that do nothing, so it pays for
    what the router does (events included) and not for the simulator around it.
    """
    recording = Simulation(scenario_a(arrivals, agents, queues))
    calls: list[tuple[float, str, dict[str, Any]]] = []
    recording.router.add_command_listener(
        lambda name, arguments, at: calls.append((at, name, arguments))
    )
    customers = recording.run().customers

    def replay(timer: Timer) -> tuple[float, int]:
        fresh = Simulation(scenario_a(arrivals, agents, queues))
        router, kernel = fresh.router, fresh.kernel
        for kind in fresh._handlers:  # the kinds the simulator subscribes to
            router.subscribe(lambda event: None, kinds=[kind])
        steps: list[tuple[float, Callable[..., object], tuple[Any, ...]]] = []
        for at, name, arguments in calls:
            if name == "submit":
                interaction = Interaction.model_validate(arguments["interaction"])
                steps.append((at, router.submit, (interaction,)))
            elif name == "complete":
                steps.append(
                    (at, router.complete, (arguments["interaction_id"], arguments["wrap_up"]))
                )
            else:
                steps.append((at, router.execute, (name, arguments)))
        first = next(i for i, (_, name, _) in enumerate(calls) if name == "submit")
        for at, call, args in steps[:first]:  # agents and presence: not timed
            kernel.now = at
            call(*args)
        gc.collect()
        started = timer()
        for at, call, args in steps[first:]:
            kernel.now = at
            call(*args)
        return timer() - started, customers

    return replay


def split(arrivals: int, repeats: int, timer: Timer, agents: int = 10, queues: int = 1) -> None:
    """Print omnirouter's cost per customer split into the router's and the simulator's."""
    replay = router_replay(arrivals, agents, queues)
    full_costs, router_costs = [], []
    for _ in range(repeats):
        wall, customers, _ = run_omnirouter(arrivals, agents, queues, timer=timer)
        full_costs.append(wall / customers)
        wall, customers = replay(timer)
        router_costs.append(wall / customers)
    full = statistics.median(full_costs)
    router = statistics.median(router_costs)
    print(
        f"Split of omnirouter's cost, {agents} agents x {queues} queue(s),"
        f" {arrivals:,} arrivals, median of {repeats}:"
    )
    print(f"  simulation (all)      {full * 1e6:6.2f} µs per customer")
    print(f"  router calls replayed {router * 1e6:6.2f} µs ({router / full:.0%})")
    print(f"  simulator's own       {(full - router) * 1e6:6.2f} µs ({1 - router / full:.0%})")


def peak_memory(tool: str, arrivals: int) -> float:
    """Peak resident memory (MB) of simulating ``arrivals`` in a fresh process.

    Read from the child's own VmHWM (Linux): ``ru_maxrss`` survives ``exec`` and would
    report the parent's peak when the parent has grown larger than the child.
    """
    code = (
        "import sys; sys.path.insert(0, 'benchmarks');"
        "import bench_simulation as b;"
        f"b.TOOLS[{tool!r}]({arrivals});"
        "print(b.own_peak_kb())"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    return int(output.strip().splitlines()[-1]) / 1024.0


def own_peak_kb() -> int:
    """This process's peak resident memory in kB (VmHWM where /proc has it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scaling-arrivals", type=int, default=20_000)
    parser.add_argument("--peers-scaling", action="store_true", help="also scale Ciw and SimPy")
    parser.add_argument("--memory", action="store_true", help="peak memory of 1M arrivals")
    parser.add_argument("--cpu", action="store_true", help="time with the process CPU clock")
    parser.add_argument("--split", action="store_true", help="router vs simulator, then stop")
    parser.add_argument(
        "--shape", default="10x1", help="agents x queues for --split (default 10x1)"
    )
    args = parser.parse_args()
    timer: Timer = time.process_time if args.cpu else time.perf_counter
    if args.split:
        agents, queues = (int(part) for part in args.shape.split("x"))
        split(args.arrivals, args.repeats, timer, agents, queues)
        return 0

    clock_name = "process CPU time" if args.cpu else "wall time"
    print(
        f"Scenario A: M/M/10, {args.arrivals:,} arrivals, median of {args.repeats},"
        f" {clock_name}, tools alternating"
    )
    exact_level = erlang.service_level(8.0, 10, 240.0, 20.0)
    exact_asa = erlang.asa(8.0, 10, 240.0)
    print(f"  exact (Erlang C)  P(wait<=20s) {exact_level:.4f}  ASA {exact_asa:.2f} s")
    rates: dict[str, float] = {}
    runs: dict[str, list[tuple[float, int, dict]]] = {tool: [] for tool in TOOLS}
    for _ in range(args.repeats):
        for tool, runner in TOOLS.items():
            runs[tool].append(runner(args.arrivals, timer=timer))
    for tool, results in runs.items():
        rate = statistics.median(customers / wall for wall, customers, _ in results)
        cost = statistics.median(wall / customers for wall, customers, _ in results)
        figures = results[-1][2]
        rates[tool] = rate
        print(
            f"  {tool:<10} {rate:>10,.0f} customers/s  ({cost * 1e6:6.1f} µs each)"
            f"  P(wait<=20s) {figures['service_level']:.4f}  ASA {figures['asa']:.2f} s"
        )
    for peer in ("ciw", "simpy"):
        print(f"  omnirouter / {peer}: {rates['omnirouter'] / rates[peer]:.2f}x")

    scaled_tools = TOOLS if args.peers_scaling else {"omnirouter": run_omnirouter}
    for label, points in (
        ("agents (1 queue)", [(10, 1), (100, 1), (1000, 1)]),
        ("queues of 10 agents", [(10, 1), (10, 10), (10, 50)]),
    ):
        print(f"Scaling by {label}, {args.scaling_arrivals:,} arrivals:")
        for tool, runner in scaled_tools.items():
            costs = []
            for agents, queues in points:
                _, cost, _ = median_rate(
                    runner, args.repeats, args.scaling_arrivals, agents, queues, timer=timer
                )
                costs.append(cost)
            cells = "  ".join(
                f"{agents}x{queues}: {cost * 1e6:6.1f} µs"
                for (agents, queues), cost in zip(points, costs, strict=True)
            )
            print(f"  {tool:<10} {cells}  growth {costs[-1] / costs[0]:.2f}x")

    if args.memory:
        print("Peak memory, 1,000,000 arrivals (fresh process each):")
        for tool in TOOLS:
            print(f"  {tool:<10} {peak_memory(tool, 1_000_000):8.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
