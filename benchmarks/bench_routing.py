"""Routing benchmark: steady-state submit → assign → complete cycles.

For 10, 100, 1,000 and 10,000 agents and 1, 10 and 50 queues, the full router (queue
choice by ``accepts``, skill targets, capacity, longest-idle selection, events to one
subscriber) runs side by side with a bare ``heapq`` dispatch loop doing the same
matching (the floor) and a minimal router (``_minimal_router.py``: the same matching
plus only the bookkeeping any thread-safe, event-emitting router must do, none of the
features), which shows how much of the gap to the floor is Python's price for the
bookkeeping and how much the features cost. The script first checks that the router and
the minimal router make the same assignments. A quarter of the agents is busy at any
time: each cycle submits one interaction and completes the oldest assignment.
Interactions are validated before the timed loop; validation is timed on its own.
Prints microseconds per cycle (median of repeats, the three interleaved) and the
ratios, as a Markdown table for RESULTS.md. ``--cpu`` times with the process's CPU
clock instead of the wall clock: on a shared machine other processes then no longer
count against either side.

    python benchmarks/bench_routing.py            # the full grid
    python benchmarks/bench_routing.py --quick    # a smaller grid while developing
    python benchmarks/bench_routing.py --cpu      # CPU time (steadier on a busy machine)
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from _minimal_router import MinimalRouter  # benchmarks/, on the path of this script

import omnirouter as om

SKILLS_PER_AGENT = 3


def skills_of(agent: int, queues: int, agents: int = 0) -> list[int]:
    """The queues an agent serves: three spread ones (all of them when fewer), and with
    fewer ``agents`` than queues also every ``agents``-th queue from its own number, so
    that each queue has someone (work in a queue nobody serves would only pile up)."""
    spread = {agent % queues, (agent * 7 + 1) % queues, (agent * 13 + 5) % queues}
    if 0 < agents < queues:
        spread.update(range(agent, queues, agents))
    return sorted(spread)


def make_interactions(count: int, queues: int, seed: int) -> list[om.Interaction]:
    rng = random.Random(seed)
    return [
        om.Interaction(id=f"i{n}", channel="voice", reason=f"r{rng.randrange(queues)}")
        for n in range(count)
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


Timer = Callable[[], float]


def build_router(
    agents: int,
    queues: int,
    clock: Clock,
    blending: Sequence[om.BlendRule] = (),
    capacity: Mapping[str, int] | None = None,
) -> om.Router:
    """The benchmark's router: one queue per reason, skill targets, longest idle; each
    agent takes one call (``capacity``), and ``blending`` rules when given."""
    router = om.Router(
        queues=[
            om.Queue(f"q{k}", accepts=f'reason == "r{k}"', steps=[om.Step(f"skills.s{k} >= 1")])
            for k in range(queues)
        ],
        clock=clock,
        blending=blending,
    )
    for n in range(agents):
        router.add_agent(
            om.Agent(
                id=f"a{n}",
                skills={f"s{k}": 3 for k in skills_of(n, queues, agents)},
                capacity=dict(capacity or {"voice": 1}),
            )
        )
        router.set_presence(f"a{n}", "available")
    return router


def drive(
    submit: Callable[[om.Interaction], object],
    complete: Callable[[str], object],
    assigned: deque[str],
    clock: Clock,
    agents: int,
    work: list[om.Interaction],
    timer: Timer,
) -> float:
    """Seconds per steady-state cycle: submit one, complete the oldest assignment once a
    quarter of the agents is busy (after a warm-up of twice that many cycles)."""
    in_flight = max(1, agents // 4)
    warm = in_flight * 2
    for interaction in work[:warm]:
        clock.now += 0.001
        submit(interaction)
        if len(assigned) > in_flight:
            complete(assigned.popleft())
    timed = work[warm:]
    start = timer()
    for interaction in timed:
        clock.now += 0.001
        submit(interaction)
        if len(assigned) > in_flight:
            complete(assigned.popleft())
    return (timer() - start) / len(timed)


def run_router(
    agents: int, queues: int, work: list[om.Interaction], timer: Timer = time.perf_counter
) -> float:
    """Seconds per cycle of the full router."""
    clock = Clock()
    router = build_router(agents, queues, clock)
    assigned: deque[str] = deque()
    router.subscribe(lambda event: assigned.append(event.interaction_id or ""), kinds=["assigned"])
    return drive(router.submit, router.complete, assigned, clock, agents, work, timer)


def run_minimal(
    agents: int, queues: int, work: list[om.Interaction], timer: Timer = time.perf_counter
) -> float:
    """Seconds per cycle of the minimal router (benchmarks/_minimal_router.py)."""
    clock = Clock()
    router = MinimalRouter([skills_of(n, queues, agents) for n in range(agents)], queues, clock)
    assigned: deque[str] = deque()
    router.subscribe(lambda event: assigned.append(event.interaction_id))
    return drive(router.submit, router.complete, assigned, clock, agents, work, timer)


def same_matching(agents: int, queues: int, work: list[om.Interaction]) -> bool:
    """True when the full router and the minimal one make the same assignments."""
    logs: list[list[tuple[str, str]]] = []
    for make in ("router", "minimal"):
        clock = Clock()
        log: list[tuple[str, str]] = []
        assigned: deque[str] = deque()

        def record(
            event: Any, log: list[tuple[str, str]] = log, into: deque[str] = assigned
        ) -> None:
            log.append((event.interaction_id, event.agent_id))
            into.append(event.interaction_id)

        if make == "router":
            router = build_router(agents, queues, clock)
            router.subscribe(record, kinds=["assigned"])
            drive(router.submit, router.complete, assigned, clock, agents, work, time.time)
        else:
            minimal = MinimalRouter(
                [skills_of(n, queues, agents) for n in range(agents)], queues, clock
            )
            minimal.subscribe(record)
            drive(
                minimal.submit, minimal.complete, assigned, clock, agents, work, time.perf_counter
            )
        logs.append(log)
    return logs[0] == logs[1]


def run_floor(
    agents: int, queues: int, work: list[om.Interaction], timer: Timer = time.perf_counter
) -> float:
    """Seconds per cycle of a bare heapq dispatch loop doing the same matching."""
    now = 0.0
    queue_of = {f"r{k}": k for k in range(queues)}
    serves = [skills_of(n, queues, agents) for n in range(agents)]
    idle: list[list[tuple[float, int]]] = [[] for _ in range(queues)]
    waiting: list[deque[tuple[float, int, str]]] = [deque() for _ in range(queues)]
    busy = [False] * agents
    idle_since = [0.0] * agents
    holder: dict[str, int] = {}
    for n in range(agents):
        for k in serves[n]:
            idle[k].append((0.0, n))
    for heap in idle:
        heapq.heapify(heap)
    assigned: deque[str] = deque()
    seq = 0

    def submit(interaction: om.Interaction, now: float) -> None:
        nonlocal seq
        k = queue_of[interaction.reason or ""]
        heap = idle[k]
        while heap:
            since, n = heap[0]
            if busy[n] or since != idle_since[n]:
                heapq.heappop(heap)
                continue
            heapq.heappop(heap)
            busy[n] = True
            holder[interaction.id] = n
            assigned.append(interaction.id)
            return
        seq += 1
        waiting[k].append((now, seq, interaction.id))

    def complete(interaction_id: str, now: float) -> None:
        n = holder.pop(interaction_id)
        best: tuple[float, int, str] | None = None
        best_queue = -1
        for k in serves[n]:
            if waiting[k] and (best is None or waiting[k][0] < best):
                best, best_queue = waiting[k][0], k
        if best is not None:
            waiting[best_queue].popleft()
            holder[best[2]] = n
            assigned.append(best[2])
            return
        busy[n] = False
        idle_since[n] = now
        for k in serves[n]:
            heapq.heappush(idle[k], (now, n))

    in_flight = max(1, agents // 4)
    warm = in_flight * 2
    for interaction in work[:warm]:
        now += 0.001
        submit(interaction, now)
        if len(assigned) > in_flight:
            complete(assigned.popleft(), now)
    timed = work[warm:]
    start = timer()
    for interaction in timed:
        now += 0.001
        submit(interaction, now)
        if len(assigned) > in_flight:
            complete(assigned.popleft(), now)
    return (timer() - start) / len(timed)


def interleaved_medians(runs: Sequence[Callable[[], float]], repeats: int) -> list[float]:
    """The median of each of ``runs`` over ``repeats`` rounds, one of each per round, so
    that a noisy stretch of the machine hits all of them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for index, run in enumerate(runs):
            times[index].append(run())
    return [statistics.median(each) for each in times]


def medians(
    repeats: int,
    agents: int,
    queues: int,
    work: list[om.Interaction],
    timer: Timer = time.perf_counter,
) -> tuple[float, float, float]:
    """Median seconds per cycle of the router, the minimal router and the floor."""
    router_s, minimal_s, floor_s = interleaved_medians(
        [partial(run, agents, queues, work, timer) for run in (run_router, run_minimal, run_floor)],
        repeats,
    )
    return router_s, minimal_s, floor_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid, fewer repeats")
    parser.add_argument("--cycles", type=int, default=20_000, help="timed cycles per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="time with the process CPU clock")
    args = parser.parse_args(argv)
    timer: Timer = time.process_time if args.cpu else time.perf_counter
    agent_counts = (10, 1_000) if args.quick else (10, 100, 1_000, 10_000)
    queue_counts = (1, 50) if args.quick else (1, 10, 50)
    repeats = 3 if args.quick else args.repeats
    cycles = 5_000 if args.quick else args.cycles

    validation_data = [
        {"id": f"v{n}", "channel": "voice", "reason": f"r{n % 7}"} for n in range(20_000)
    ]
    start = timer()
    for item in validation_data:
        om.Interaction.model_validate(item)
    validate_us = (timer() - start) / len(validation_data) * 1e6

    clock_name = "process CPU time" if args.cpu else "wall time"
    print(
        f"python {sys.version.split()[0]}, {cycles} timed cycles, median of {repeats} runs,"
        f" {clock_name}"
    )
    print(f"boundary validation (Interaction.model_validate): {validate_us:.2f} µs each")
    check = make_interactions(3_000, 10, seed=7)
    same = same_matching(100, 10, check)
    print(f"router and minimal router make the same assignments: {'yes' if same else 'NO'}\n")
    print(
        "| agents | queues | router µs/cycle | minimal µs/cycle | heapq floor µs/cycle "
        "| router/floor | minimal/floor | router/minimal |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    by_agents: dict[tuple[int, int], float] = {}
    for queues in queue_counts:
        for agents in agent_counts:
            work = make_interactions(cycles + agents // 2 + 10, queues, seed=agents + queues)
            router_s, minimal_s, floor_s = medians(repeats, agents, queues, work, timer=timer)
            by_agents[(agents, queues)] = router_s
            print(
                f"| {agents:,} | {queues} | {router_s * 1e6:.2f} | {minimal_s * 1e6:.2f} "
                f"| {floor_s * 1e6:.2f} | {router_s / floor_s:.1f}× | {minimal_s / floor_s:.1f}× "
                f"| {router_s / minimal_s:.1f}× |",
                flush=True,
            )
    low, high = min(agent_counts), max(agent_counts)
    print()
    for queues in queue_counts:
        growth = by_agents[(high, queues)] / by_agents[(low, queues)]
        print(f"growth {low:,} → {high:,} agents at {queues} queue(s): {growth:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
