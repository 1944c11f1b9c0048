"""The routing benchmark with blending rules active.

The same steady-state submit → assign → complete cycle as ``bench_routing.py`` (same
agents, queues, interactions and heapq floor, imported from it), run three ways side by
side: the router without blending, the router with blending rules, and the floor. The
rules are the seed's verbatim pair (calls waiting → e-mail/fax agents take calls; no fax
to an agent on the phone) plus a chat reservation with hysteresis: all are evaluated
after every operation, and the agent rule is consulted on every capacity check.

    python benchmarks/bench_blending.py            # the full grid
    python benchmarks/bench_blending.py --quick    # a smaller grid while developing
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_routing import (
    Clock,
    build_router,
    drive,
    interleaved_medians,
    make_interactions,
    run_floor,
)

import omnirouter as om

RULES = [
    om.BlendRule(
        "calls_waiting",
        when="waiting.voice > 3",
        agents="holding.email > 0 OR holding.fax > 0",
        offer=["voice"],
    ),
    om.BlendRule("no_fax_on_phone", agents="holding.voice > 0", deny=["fax"]),
    om.BlendRule(
        "chat_surge",
        when="waiting.chat > 5",
        until="waiting.chat < 2",
        agents="skills.chat >= 1",
        offer=["chat"],
        deny=["email"],
        keep={"email": 2},
    ),
]


def run_router(
    agents: int,
    queues: int,
    work: list[om.Interaction],
    blended: bool,
    timer: Callable[[], float] = time.perf_counter,
) -> float:
    """Seconds per cycle of the full router, with or without the blending rules."""
    clock = Clock()
    router = build_router(
        agents, queues, clock, blending=RULES if blended else (), capacity={"voice": 1, "fax": 1}
    )
    assigned: deque[str] = deque()
    router.subscribe(lambda event: assigned.append(event.interaction_id or ""), kinds=["assigned"])
    return drive(router.submit, router.complete, assigned, clock, agents, work, timer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid, fewer repeats")
    parser.add_argument("--cycles", type=int, default=20_000, help="timed cycles per run")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    agent_counts = (10, 1_000) if args.quick else (10, 100, 1_000, 10_000)
    queue_counts = (1, 50) if args.quick else (1, 10, 50)
    repeats = 3 if args.quick else args.repeats
    cycles = 5_000 if args.quick else args.cycles

    print(f"python {sys.version.split()[0]}, {cycles} timed cycles, median of {repeats} runs\n")
    print(
        "| agents | queues | router µs/cycle | with blending µs/cycle | heapq floor µs/cycle "
        "| blending cost | blended / floor |"
    )
    print("|-------:|-------:|------:|------:|------:|------:|------:|")
    blended_by: dict[tuple[int, int], float] = {}
    for queues in queue_counts:
        for agents in agent_counts:
            work = make_interactions(cycles + agents // 2 + 10, queues, seed=agents + queues)
            plain_s, blended_s, floor_s = interleaved_medians(
                [
                    partial(run_router, agents, queues, work, False),
                    partial(run_router, agents, queues, work, True),
                    partial(run_floor, agents, queues, work),
                ],
                repeats,
            )
            blended_by[(agents, queues)] = blended_s
            print(
                f"| {agents:,} | {queues} | {plain_s * 1e6:.2f} | {blended_s * 1e6:.2f} "
                f"| {floor_s * 1e6:.2f} | {blended_s / plain_s - 1:+.0%} "
                f"| {blended_s / floor_s:.1f}× |",
                flush=True,
            )
    low, high = min(agent_counts), max(agent_counts)
    print()
    for queues in queue_counts:
        growth = blended_by[(high, queues)] / blended_by[(low, queues)]
        print(
            f"with blending, growth {low:,} → {high:,} agents at {queues} queue(s): {growth:.2f}×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
