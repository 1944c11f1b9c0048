"""Planned outbound contacts go through the same router as inbound work."""

from __future__ import annotations

from datetime import timedelta

from outbound_factories import consent, person, utc

import omnirouter as om
from omnirouter.outbound import may_contact, outbound_interaction, plan_campaign

START = utc(2024, 6, 4, 10)


class Clock:
    """A settable clock in epoch seconds."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_outbound_work_is_routed_like_inbound_work() -> None:
    clock = Clock(START.timestamp())
    router = om.Router(
        queues=[
            om.Queue("outbound", accepts='direction == "outbound"'),
            om.Queue("inbound"),
        ],
        clock=clock,
    )
    events: list[om.Event] = []
    router.subscribe(events.append)
    router.add_agent(om.Agent(id="olga", capacity={"voice": 1, "callback": 1, "email": 2}))
    router.set_presence("olga", "available")

    router.submit(om.Interaction(id="in-1", channel="email", customer_id="c-9"))
    contact = person("c-1", consent("email", "opt_in", utc(2024, 1, 1)))
    plan = plan_campaign(
        [contact],
        {"email": "Your contract renews soon."},
        purpose="promotion",
        at=START,
        name="renewals",
    )
    proactive = outbound_interaction(plan.planned[0], interaction_id="p-1")
    router.submit(proactive)

    due = START + timedelta(minutes=30)
    decision = may_contact(person("c-2"), "callback", "callback", due)
    router.submit(outbound_interaction(decision, interaction_id="cb-1", scheduled_at=due))
    assert router.state_of("cb-1") is om.InteractionState.SCHEDULED

    # Without an offer timeout the router assigns at once, as it does inbound work.
    assigned = [e for e in events if e.kind == "assigned"]
    assert [(e.interaction_id, e.queue, e.agent_id) for e in assigned] == [
        ("in-1", "inbound", "olga"),
        ("p-1", "outbound", "olga"),
    ]
    router.complete("p-1")

    clock.now = due.timestamp()
    router.tick()
    assert router.state_of("cb-1") is om.InteractionState.ASSIGNED
    last = [e for e in events if e.kind == "assigned"][-1]
    assert (last.interaction_id, last.queue, last.channel, last.agent_id) == (
        "cb-1",
        "outbound",
        "callback",
        "olga",
    )
