"""Helpers of the ops tests: a settable clock and a small staffed router."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import omnirouter as om


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def staffed(clock: Clock, journal: om.Journal | None = None, **options: Any) -> om.Router:
    """A router with two available agents (voice 1, chat 2, email 3)."""
    router = om.Router(clock=clock, journal=journal, **options)
    for agent_id, team in (("anna", "billing"), ("ben", "tech")):
        router.add_agent(
            om.Agent(id=agent_id, team=team, capacity={"voice": 1, "chat": 2, "email": 3})
        )
        router.set_presence(agent_id, "available")
    return router


def traffic(router: om.Router, clock: Clock, count: int = 12) -> None:
    """Submit, complete and abandon some work, moving the clock."""
    for n in range(count):
        clock.advance(7)
        router.submit(
            om.Interaction(id=f"w{n}", channel=("voice", "chat", "email")[n % 3], reason="billing")
        )
        if n % 4 == 3:
            clock.advance(3)
            done = f"w{n - 3}"
            if router.state_of(done) is om.InteractionState.OFFERED:
                router.accept(done)
            if router.state_of(done) is om.InteractionState.ASSIGNED:
                router.complete(done, wrap_up=2.0)
    clock.advance(60)
    router.tick()


def files(path: Path) -> list[Path]:
    """The journal file and its WAL companions."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
