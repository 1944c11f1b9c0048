"""Eight threads submit, complete and change presence at once: every invariant holds."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

from crash_harness import check_recovered

import omnirouter as om

SECONDS = float(os.environ.get("OMNIROUTER_CONCURRENCY_SECONDS", "3"))


def hammer(router: om.Router, seconds: float, threads: int = 8) -> list[str]:
    """Run ``threads`` workers for ``seconds``; returns every id submitted."""
    submitted: list[str] = []
    errors: list[BaseException] = []
    stop = time.monotonic() + seconds
    agents = [a.id for a in router.agents]

    def worker(number: int) -> None:
        rng = random.Random(number)
        mine: list[str] = []
        n = 0
        try:
            while time.monotonic() < stop:
                roll = rng.random()
                try:
                    if roll < 0.45 or not mine:
                        n += 1
                        interaction_id = f"t{number}-{n}"
                        router.submit(
                            om.Interaction(id=interaction_id, channel=rng.choice(("voice", "chat")))
                        )
                        mine.append(interaction_id)
                        submitted.append(interaction_id)
                    elif roll < 0.85:
                        interaction_id = rng.choice(mine)
                        router.complete(interaction_id)
                        mine.remove(interaction_id)
                    elif roll < 0.95:
                        agent = rng.choice(agents)
                        router.set_presence(agent, rng.choice(("available", "away")))
                    else:
                        router.stats()
                except om.RoutingError:
                    pass
        except BaseException as error:  # surfaced below
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors
    return submitted


def test_eight_threads_leave_every_invariant_intact(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    router = om.Router(journal=om.SQLiteJournal(path, durability="group"))
    for n in range(8):
        router.add_agent(om.Agent(id=f"a{n}", capacity={"voice": 1, "chat": 3}))
        router.set_presence(f"a{n}", "available")
    submitted = hammer(router, SECONDS)
    assert len(submitted) > 100
    writer = router.journal
    assert writer is not None
    assert writer.wait_durable(timeout=30)
    expected = router.snapshot()
    writer.close()
    for interaction_id in submitted:  # exactly one place, nothing over capacity, exact replay
        active = interaction_id in router._work
        assert active != (interaction_id in router._finished)
    acks = [(0, "submitted", i) for i in submitted]
    check_recovered(path, acks, full_replay=True)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=time.time, checkpoint=False)
    assert recovered.snapshot() == expected
    assert recovered.journal is not None
    recovered.journal.close()
