"""Journal throughput and live-stats cost (``python benchmarks/bench_journal.py``).

Runs the same command stream (submit, complete, presence changes, ticks; 2 agents
per 10 channels-worth of work) through the in-memory router and through routers
journaled to SQLite in both durability modes, side by side, and prints commands per
second (median of repeats) and the ratio to the in-memory router. Then times
``router.stats()`` with thousands of waiting interactions, and ``router.forget`` (the
whole journal rewritten, rebuilt and its write-ahead log truncated) on journals of
growing size.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import omnirouter as om

REPEATS = 3


def commands(count: int, seed: int = 7) -> list[tuple[str, float, object]]:
    """A fixed stream of (operation, clock advance, argument)."""
    rng = random.Random(seed)
    stream: list[tuple[str, float, object]] = []
    open_ids: list[str] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.5 or not open_ids:
            open_ids.append(f"i{n}")
            stream.append(
                (
                    "submit",
                    1.0,
                    om.Interaction(id=f"i{n}", channel=rng.choice(("voice", "chat", "email"))),
                )
            )
        elif roll < 0.9:
            stream.append(("complete", 1.0, open_ids.pop(rng.randrange(len(open_ids)))))
        else:
            stream.append(("tick", 5.0, None))
    return stream


def run(stream: list[tuple[str, float, object]], journal: om.Journal | None) -> float:
    """Commands per second for ``stream`` (group mode: until all are durable)."""
    now = [1_700_000_000.0]
    router = om.Router(clock=lambda: now[0], journal=journal)
    for n in range(20):
        router.add_agent(om.Agent(id=f"a{n}", capacity={"voice": 1, "chat": 3, "email": 5}))
        router.set_presence(f"a{n}", "available")
    start = time.perf_counter()
    for operation, advance, argument in stream:
        now[0] += advance
        try:
            if operation == "submit":
                router.submit(argument)  # type: ignore[arg-type]
            elif operation == "complete":
                router.complete(argument)  # type: ignore[arg-type]
            else:
                router.tick()
        except om.RoutingError:
            pass
    if router.journal is not None:
        router.journal.wait_durable()
    elapsed = time.perf_counter() - start
    if router.journal is not None:
        router.journal.close()
    return len(stream) / elapsed


def stats_cost(waiting: int) -> float:
    """Median milliseconds of one ``router.stats()`` with ``waiting`` queued items."""
    now = [1_700_000_000.0]
    router = om.Router(clock=lambda: now[0])
    for n in range(200):
        router.add_agent(om.Agent(id=f"a{n}", team=f"t{n % 10}", capacity={"voice": 1, "email": 3}))
        router.set_presence(f"a{n}", "available")
    router.stats()
    for n in range(waiting + 800):
        now[0] += 0.1
        router.submit(
            om.Interaction(id=f"w{n}", channel=("voice", "email")[n % 2], reason=f"r{n % 7}")
        )
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        router.stats()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def forget_cost(count: int) -> tuple[float, float]:
    """Seconds (wall, CPU) of one ``router.forget`` on a journal of ``count`` submits,
    one customer in ten being the one forgotten."""
    now = [1_700_000_000.0]
    with tempfile.TemporaryDirectory() as folder:
        journal = om.SQLiteJournal(Path(folder) / "forget.db", durability="group")
        router = om.Router(clock=lambda: now[0], journal=journal)
        for n in range(count):
            now[0] += 1.0
            router.submit(
                om.Interaction(
                    id=f"i{n}",
                    channel="email",
                    customer_id=f"c{n % 10}",
                    preview=f"Message {n} from customer {n % 10}",
                ),
                customer=om.Contact(id=f"c{n % 10}", family_name=f"Name{n % 10}"),
            )
        assert router.journal is not None
        router.journal.wait_durable()
        start, cpu = time.perf_counter(), time.process_time()
        router.forget("c3")
        elapsed = time.perf_counter() - start, time.process_time() - cpu
        router.journal.close()
    return elapsed


def main() -> int:
    quick = "--quick" in sys.argv
    sizes = {"memory": 20_000, "group": 20_000, "command": 300 if quick else 1_000}
    results: dict[str, list[float]] = {name: [] for name in sizes}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(REPEATS):
            for name, count in sizes.items():
                stream = commands(count)
                journal = None
                if name != "memory":
                    path = Path(folder) / f"{name}-{repeat}.db"
                    journal = om.SQLiteJournal(path, durability=name)  # type: ignore[arg-type]
                results[name].append(run(stream, journal))
    memory = statistics.median(results["memory"])
    print(f"{'router':<28}{'commands/s':>14}{'vs in-memory':>14}")
    for name, label in (
        ("memory", "in-memory (no journal)"),
        ("group", "journal, group (5 ms)"),
        ("command", "journal, every command"),
    ):
        rate = statistics.median(results[name])
        print(f"{label:<28}{rate:>14,.0f}{rate / memory:>14.3f}")
    for waiting in (1_000, 10_000):
        print(f"router.stats() with {waiting:>6} waiting, 200 agents: {stats_cost(waiting):.2f} ms")
    for count in (1_000, 10_000) if quick else (1_000, 10_000, 50_000):
        wall, cpu = forget_cost(count)
        print(f"router.forget on a journal of {count:>6} submits: {wall:.2f} s ({cpu:.2f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
