"""A seeded random run of a router, printed as JSON: what the router-level differential
test runs once on each dispatch core (in a fresh process each, the core being chosen
at import) and compares.

    python tests/dispatch/_differential_router.py SEED OPERATIONS
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import omnirouter as om
from omnirouter.dispatch import implementation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "routing"))
from routing_helpers import Clock
from test_blending_stateful import RULES  # the blending tests' rules

CHANNELS = ("voice", "email", "fax", "chat", "whatsapp", "video")
AGENTS = [
    om.Agent(
        id="a",
        skills={"chat": 1, "billing": 3},
        capacity=om.CapacityProfile(
            per_channel={"voice": 1, "email": 1, "fax": 1, "chat": 2, "messenger": 1}, total=2
        ),
    ),
    om.Agent(id="b", capacity={"voice": 1, "fax": 2, "chat": 3, "video": 1}),
    om.Agent(
        id="c",
        skills={"chat": 2},
        capacity=om.CapacityProfile(per_channel={"email": 2, "chat": 2, "voice": 1}, total=2),
    ),
    om.Agent(
        id="d",
        skills={"billing": 1},
        capacity=om.CapacityProfile(
            budget=10,
            units={"voice": 10, "email": 3, "chat": 4, "messenger": 4, "video": 10},
            exclusive=["video"],
        ),
    ),
]


def run(seed: int, operations: int) -> dict[str, Any]:
    rng = random.Random(seed)
    clock = Clock()
    router = om.Router(
        clock=clock,
        blending=RULES,
        offer_timeout=20,
        queues=[
            om.Queue(
                "billing",
                accepts='reason == "billing"',
                steps=[om.Step("skills.billing >= 3", timeout=15), om.Step("skills.billing >= 1")],
            ),
            om.Queue("general"),
        ],
    )
    events: list[list[Any]] = []
    router.subscribe(
        lambda event: events.append(
            [
                event.kind,
                event.at,
                event.interaction_id,
                event.agent_id,
                event.queue,
                event.channel,
                dict(event.detail),
            ]
        )
    )
    for agent in AGENTS:
        router.add_agent(agent)
        router.set_presence(agent.id, "available")
    outcomes: list[str] = []
    count = 0

    for _ in range(operations):
        clock.now += rng.choice((0.0, 0.5, 3.0, 12.0))
        by_state: dict[om.InteractionState, list[str]] = {}
        for work_id, work in router.view.open_work():
            by_state.setdefault(work.state, []).append(work_id)
        held = sorted(
            by_state.get(om.InteractionState.OFFERED, [])
            + by_state.get(om.InteractionState.ASSIGNED, [])
            + by_state.get(om.InteractionState.PAUSED, [])
        )
        waiting = sorted(by_state.get(om.InteractionState.QUEUED, []))
        offered = sorted(by_state.get(om.InteractionState.OFFERED, []))
        assigned = sorted(by_state.get(om.InteractionState.ASSIGNED, []))
        roll = rng.random()
        if len(waiting) > 30:
            roll = 0.8 + roll * 0.1  # too much waits: customers give up, work moves
        try:
            if roll < 0.3:
                count += 1
                router.submit(
                    om.Interaction(
                        id=f"i{count}",
                        channel=rng.choice(CHANNELS),
                        reason=rng.choice(("billing", "other")),
                        manual_priority=rng.choice((-1, 0, 0, 1, 2)),
                    )
                )
            elif roll < 0.45 and offered:
                router.accept(rng.choice(offered))
            elif roll < 0.5 and offered:
                router.decline(rng.choice(offered))
            elif roll < 0.75 and assigned:
                router.complete(rng.choice(assigned), wrap_up=rng.choice((0.0, 0.0, 5.0)))
            elif roll < 0.85 and waiting:
                router.abandon(rng.choice(waiting))
            elif roll < 0.9 and (waiting or held):
                router.transfer(
                    rng.choice(waiting or held), queue=rng.choice(("billing", "general"))
                )
            elif roll < 0.95:
                router.set_presence(
                    rng.choice("abcd"), rng.choice(("available", "available", "away", "offline"))
                )
            elif roll < 0.97 and held:
                router.cancel(rng.choice(held))
            else:
                router.tick()
            outcomes.append("ok")
        except om.OmnirouterError as error:
            outcomes.append(f"{type(error).__name__}: {error}")
    return {
        "implementation": implementation,
        "events": events,
        "outcomes": outcomes,
        "snapshot": router.snapshot(),
    }


if __name__ == "__main__":
    json.dump(run(int(sys.argv[1]), int(sys.argv[2])), sys.stdout, sort_keys=True, default=str)
