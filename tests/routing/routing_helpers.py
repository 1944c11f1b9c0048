"""Helpers of the routing tests: a settable clock, an event recorder, small factories."""

from __future__ import annotations

from collections.abc import Iterable

import omnirouter as om
from omnirouter.testing import EventRecorder


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class Recorder(EventRecorder):
    """Collects every event (``omnirouter.testing.EventRecorder``) for the routing tests."""

    def assigned(self) -> dict[str, str]:
        """interaction id → agent id of every assignment, in order."""
        return self.assignments()


def agent(agent_id: str, **fields: object) -> om.Agent:
    fields.setdefault("capacity", {"voice": 1, "chat": 2, "email": 3})
    return om.Agent(id=agent_id, **fields)  # type: ignore[arg-type]


def work(interaction_id: str, channel: str = "voice", **fields: object) -> om.Interaction:
    return om.Interaction(id=interaction_id, channel=channel, **fields)  # type: ignore[arg-type]


def staffed(router: om.Router, agents: Iterable[om.Agent]) -> om.Router:
    for a in agents:
        router.add_agent(a)
        router.set_presence(a.id, "available")
    return router
