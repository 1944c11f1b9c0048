"""Cost of ``router.stats()`` against the backlog (``python benchmarks/bench_stats.py``).

200 agents (voice 1, e-mail 3) and ``n + 800`` submitted interactions: what the agents
cannot hold waits (the first column). Prints medians of repeated timings, in
milliseconds per call, side by side with one plain pass over the router's open work
that computes only the waiting figures (what a stats call that walks the backlog pays
at the least), and what counting costs the router: submissions per second with and
without ``stats()`` counting.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable

import omnirouter as om

REPEATS = 15


def staffed_router(waiting: int, *, counting: bool) -> tuple[om.Router, list[float]]:
    now = [1_700_000_000.0]
    router = om.Router(clock=lambda: now[0])
    for n in range(200):
        router.add_agent(om.Agent(id=f"a{n}", team=f"t{n % 10}", capacity={"voice": 1, "email": 3}))
        router.set_presence(f"a{n}", "available")
    if counting:
        router.stats()
    for n in range(waiting + 800):
        now[0] += 0.1
        router.submit(
            om.Interaction(id=f"w{n}", channel=("voice", "email")[n % 2], reason=f"r{n % 7}")
        )
    return router, now


def backlog_walk(router: om.Router) -> int:
    """The waiting figures by one pass over the open work (the reference)."""
    by_channel: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    oldest: dict[str, float] = {}
    for work in router._work.values():
        if work.state is om.InteractionState.QUEUED:
            channel = work.interaction.channel
            by_channel[channel] += 1
            by_reason[work.interaction.reason or ""] += 1
            oldest[channel] = min(oldest.get(channel, work.enqueued_at), work.enqueued_at)
    return sum(by_channel.values())


def median_ms(call: Callable[[], object]) -> float:
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def submissions_per_second(counting: bool, count: int = 20_000) -> float:
    start = time.perf_counter()
    staffed_router(count - 800, counting=counting)
    return count / (time.perf_counter() - start)


def main() -> int:
    print(f"python {sys.version.split()[0]}; medians of {REPEATS} calls")
    print(f"{'waiting':>8} {'stats() ms':>11} {'walk ms':>9} {'stats / walk':>13}")
    for waiting in (0, 1_000, 10_000, 50_000):
        router, _ = staffed_router(waiting, counting=True)
        waiting = backlog_walk(router)
        assert router.stats().waiting == waiting
        ours = median_ms(router.stats)
        walk = median_ms(lambda router=router: backlog_walk(router))
        print(f"{waiting:>8} {ours:>11.2f} {walk:>9.2f} {ours / walk:>13.2f}")
    rates = {
        c: statistics.median(submissions_per_second(c) for _ in range(3)) for c in (False, True)
    }
    print(f"submissions/s without stats counting: {rates[False]:,.0f}")
    ratio = rates[True] / rates[False]
    print(f"submissions/s with stats counting:    {rates[True]:,.0f} ({ratio:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
