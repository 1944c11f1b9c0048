"""Crash stress (``python benchmarks/stress_crash.py [rounds]``, default 1,000 rounds).

Many more kill -9 rounds than the test suite (tests/ops/test_crash.py): a forked child
drives random traffic into a journaled router (alternating "command" and "group"
durability), is killed with SIGKILL at a random moment, and the parent recovers and
checks every acknowledged interaction (present in exactly one state, completed and
abandoned ones in that state), capacity, and every 10th round that the whole journal
verifies (chained checksums, the acknowledgement mark) and snapshot + tail equals a
full replay; each block of 100 rounds uses a fresh journal. Every recovery compares
the replayed events with the recorded ones and the mark file with the database, so a
lost acknowledged command raises. Then 8 threads hammer one journaled router for 10
seconds. Prints how many crashes were survived with zero loss.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "ops"))

from crash_harness import check_recovered, run_round  # noqa: E402
from test_concurrency import hammer  # noqa: E402

import omnirouter as om  # noqa: E402

#: Rounds per journal file: the checks of a round read the whole journal (every 10th
#: round replays it in full), so a fresh file per segment keeps rounds equally costly.
SEGMENT = 100


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(99)
    survived = 0
    checked = 0
    commands = 0
    start = time.perf_counter()
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        acknowledged: list[tuple[int, str, str]] = []
        for round_no in range(rounds):
            if round_no % SEGMENT == 0:
                path = Path(folder) / f"stress-{round_no // SEGMENT}.db"
                checked += len(acknowledged)
                acknowledged = []
            durability = "command" if round_no % 2 == 0 else "group"
            outcome = run_round(path, durability, rng.randrange(2**32), round_no, rng)
            acknowledged.extend(outcome["acks"])
            last = check_recovered(path, acknowledged, full_replay=round_no % 10 == 9)
            survived += 1
            if round_no % SEGMENT == SEGMENT - 1 or round_no == rounds - 1:
                commands += last
                print(
                    f"  rounds {round_no + 1 - (round_no % SEGMENT)}-{round_no + 1}: "
                    f"{len(acknowledged)} acknowledgements, {last} commands, "
                    f"{time.perf_counter() - start:.0f} s so far",
                    flush=True,
                )
        checked += len(acknowledged)
        elapsed = time.perf_counter() - start
        print(
            f"kill -9 rounds: {survived}/{rounds} survived with zero loss; "
            f"{checked} acknowledgements checked, {commands} commands in "
            f"{(rounds + SEGMENT - 1) // SEGMENT} journals of {SEGMENT} rounds; "
            f"{elapsed:.0f} s wall, {time.process_time() - cpu:.0f} s CPU (parent)"
        )
        threads_path = Path(folder) / "threads.db"
        router = om.Router(journal=om.SQLiteJournal(threads_path, durability="group"))
        for n in range(8):
            router.add_agent(om.Agent(id=f"a{n}", capacity={"voice": 1, "chat": 3}))
            router.set_presence(f"a{n}", "available")
        submitted = hammer(router, 10.0)
        assert router.journal is not None
        router.journal.wait_durable()
        router.journal.close()
        last = check_recovered(threads_path, [(0, "submitted", i) for i in submitted], True)
        print(
            f"8 threads for 10 s: {len(submitted)} submitted, {last} commands journaled; "
            "invariants intact and recovery equal to a full replay"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
