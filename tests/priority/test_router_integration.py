"""The scorer and the service-level policy plugged into a live router."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import omnirouter as om
from omnirouter.priority import PriorityScorer, RecentContacts
from omnirouter.sla import ServiceLevelTracker

START = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A virtual clock in epoch seconds, as the simulator drives the router."""

    def __init__(self) -> None:
        self.now = START.timestamp()

    def __call__(self) -> float:
        return self.now

    def at(self, minutes: float) -> datetime:
        self.now = START.timestamp() + minutes * 60
        return START + timedelta(minutes=minutes)


FIFO = {"name": "fifo", "factors": [{"kind": "manual", "weight": 60}]}
SERVICE_FIRST = {
    "name": "service first",
    "factors": [
        {"kind": "reason", "values": {"complaint": 5}, "weight": 100},
        {"kind": "repeat_contacts", "weight": 450},
        {"kind": "negative_sentiment", "weight": 1500},
        {"kind": "manual", "weight": 60},
    ],
}
HISTORY = RecentContacts([("k-7", START - timedelta(days=1)), ("k-7", START - timedelta(days=2))])


def submit_backlog(router: om.Router, clock: Clock) -> None:
    items: list[dict[str, Any]] = [
        {"id": "mail-1", "channel": "email"},
        {"id": "mail-2", "channel": "email", "reason": "complaint"},
        {"id": "chat-3", "channel": "chat", "customer_id": "k-7"},
        {"id": "wa-4", "channel": "whatsapp", "preview": "Ich bin enttäuscht", "language": "de"},
    ]
    for minute, item in enumerate(items):
        created = clock.at(minute * 5)
        router.submit(om.Interaction(created_at=created, **item))


def test_swapping_the_strategy_re_ranks_waiting_work() -> None:
    clock = Clock()
    scorer = PriorityScorer(FIFO, history=HISTORY)
    router = om.Router(clock=clock, priority=scorer)
    submit_backlog(router, clock)
    assert router.waiting() == ["mail-1", "mail-2", "chat-3", "wa-4"]

    service_first = scorer.with_strategy(SERVICE_FIRST)
    clock.at(16)
    router.set_priority_strategy(service_first)
    reranked = router.waiting()
    assert reranked == ["wa-4", "chat-3", "mail-2", "mail-1"]
    # The router's order is the one the notebook comparison predicts.
    comparison = om.compare_strategies(scorer, service_first, _backlog(), clock.now)
    assert [c.id for c in sorted(comparison.changes, key=lambda c: c.rank_b)] == reranked

    router.set_priority_strategy(scorer)
    assert router.waiting() == ["mail-1", "mail-2", "chat-3", "wa-4"]


def _backlog() -> list[om.Interaction]:
    rows = [
        ("mail-1", "email", {}),
        ("mail-2", "email", {"reason": "complaint"}),
        ("chat-3", "chat", {"customer_id": "k-7"}),
        ("wa-4", "whatsapp", {"preview": "Ich bin enttäuscht", "language": "de"}),
    ]
    return [
        om.Interaction(id=i, channel=c, created_at=START + timedelta(minutes=5 * n), **extra)
        for n, (i, c, extra) in enumerate(rows)
    ]


def test_sla_events_fire_from_the_policy_deadlines() -> None:
    clock = Clock()
    policy = om.ServiceLevelPolicy(
        targets={"voice": {"threshold": 20}, "chat": {"threshold": 60}}, at_risk_fraction=0.5
    )
    router = om.Router(clock=clock, sla=policy)
    events: list[om.Event] = []
    router.subscribe(events.append, kinds=["sla_at_risk", "sla_breached"])
    tracker = ServiceLevelTracker(policy, channels=router.channels)
    router.subscribe(tracker)

    start = clock.now
    router.submit(om.Interaction(id="call-1", channel="voice", created_at=START))
    router.submit(om.Interaction(id="chat-1", channel="chat", created_at=START))
    router.tick(start + 9)
    assert events == []
    router.tick(start + 10)
    assert [(e.kind, e.interaction_id, e.at) for e in events] == [
        ("sla_at_risk", "call-1", start + 10)
    ]
    # An agent answers the chat before its deadline: no breach for it.
    clock.now = start + 15
    router.add_agent(om.Agent(id="anna", capacity={"chat": 2}))
    router.set_presence("anna", "available")
    assert router.state_of("chat-1") is om.InteractionState.ASSIGNED
    router.tick(start + 20)
    router.tick(start + 120)  # past the chat's deadline: answered, so nothing fires
    assert [(e.kind, e.interaction_id, e.at) for e in events[1:]] == [
        ("sla_breached", "call-1", start + 20)
    ]
    by_channel = {f.key: f for f in tracker.figures("channel", as_of=start + 120)}
    assert by_channel["chat"].service_level == 1.0
    assert (by_channel["voice"].offered, by_channel["voice"].overdue_waiting) == (1, 1)


@pytest.mark.parametrize("fraction", [0.25, 0.8])
def test_at_risk_fraction_and_business_time_deadlines(fraction: float) -> None:
    office = om.BusinessCalendar(timezone="Europe/Berlin", hours={"mon-fri": ["08:00-18:00"]})
    policy = om.ServiceLevelPolicy(
        targets={"email": {"threshold": 8 * 3600, "basis": "business"}},
        calendar=office,
        at_risk_fraction=fraction,
    )
    friday = datetime(2024, 5, 17, 16, 30, tzinfo=office.zone)
    clock = Clock()
    clock.now = friday.timestamp()
    router = om.Router(clock=clock, sla=policy)
    events: list[om.Event] = []
    router.subscribe(events.append, kinds=["sla_at_risk", "sla_breached"])
    router.submit(om.Interaction(id="mail-1", channel="email", created_at=friday))
    due = office.add_business_time(friday, timedelta(hours=8)).timestamp()
    assert due == datetime(2024, 5, 20, 14, 30, tzinfo=office.zone).timestamp()
    risk_at = friday.timestamp() + fraction * (due - friday.timestamp())
    router.tick(risk_at - 1)
    assert events == []
    router.tick(risk_at)
    router.tick(due)
    assert [(e.kind, e.at) for e in events] == [("sla_at_risk", risk_at), ("sla_breached", due)]
