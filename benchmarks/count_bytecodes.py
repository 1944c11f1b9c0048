"""Bytecodes per steady-state routing cycle: a deterministic cost measure.

Timing on the shared 2-core machine carries ±15 % noise; the number of bytecodes the
interpreter executes per submit → assign → complete cycle does not change from run to
run, so it shows what a change to the hot path costs (or saves) exactly. The set-up is
``bench_routing.py``'s (same router, same work, a quarter of the agents busy); the
count uses ``sys.settrace`` with per-opcode events over the timed cycles.

    python benchmarks/count_bytecodes.py                 # 1,000 agents x 50 queues
    python benchmarks/count_bytecodes.py --agents 100 --queues 10
"""

from __future__ import annotations

import argparse
import sys
from collections import deque
from types import FrameType
from typing import Any

import bench_routing as bench  # benchmarks/, on the path of this script


def count(agents: int, queues: int, cycles: int) -> float:
    """Bytecodes per cycle of the full router, after a warm-up."""
    warm = max(1, agents // 4) * 2 + 1_000
    work = bench.make_interactions(warm + cycles, queues, seed=agents + queues)
    clock = bench.Clock()
    router = bench.build_router(agents, queues, clock)
    assigned: deque[str] = deque()
    router.subscribe(lambda event: assigned.append(event.interaction_id or ""), kinds=["assigned"])
    in_flight = max(1, agents // 4)

    def cycle(interaction: Any) -> None:
        clock.now += 0.001
        router.submit(interaction)
        if len(assigned) > in_flight:
            router.complete(assigned.popleft())

    for interaction in work[:warm]:
        cycle(interaction)
    executed = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal executed
        frame.f_trace_opcodes = True
        if event == "opcode":
            executed += 1
        return tracer

    sys.settrace(tracer)
    try:
        for interaction in work[warm:]:
            cycle(interaction)
    finally:
        sys.settrace(None)
    return executed / cycles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1_000)
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=500)
    args = parser.parse_args(argv)
    per_cycle = count(args.agents, args.queues, args.cycles)
    print(f"{args.agents:,} agents x {args.queues} queues: {per_cycle:.0f} bytecodes per cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
