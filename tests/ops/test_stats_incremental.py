"""router.stats() keeps its waiting figures from events: they equal a full recount of the
router's open work after any sequence of operations, reading them never walks the
backlog, and handling time leaves out time spent paused."""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from ops_helpers import Clock

import omnirouter as om

CHANNELS = ("voice", "chat", "email")
REASONS = (None, "billing", "tech")


def recount(router: om.Router, at: float) -> dict[str, Any]:
    """The waiting figures by one plain pass over the router's open work."""
    by_channel: Counter[str] = Counter()
    by_queue: dict[str, Counter[str]] = {}
    by_reason: Counter[str] = Counter()
    oldest_channel: dict[str, float] = {}
    oldest_queue: dict[str, float] = {}
    for work in router._work.values():
        if work.state is not om.InteractionState.QUEUED:
            continue
        channel, queue = work.interaction.channel, work.queue or ""
        by_channel[channel] += 1
        by_queue.setdefault(queue, Counter())[channel] += 1
        by_reason[work.interaction.reason or "(none)"] += 1
        oldest_channel[channel] = min(
            oldest_channel.get(channel, work.enqueued_at), work.enqueued_at
        )
        oldest_queue[queue] = min(oldest_queue.get(queue, work.enqueued_at), work.enqueued_at)
    return {
        "waiting": sum(by_channel.values()),
        "longest": at - min(oldest_channel.values()) if oldest_channel else 0.0,
        "channels": {c: (n, at - oldest_channel[c]) for c, n in by_channel.items()},
        "queues": {q: (dict(n), at - oldest_queue[q]) for q, n in by_queue.items()},
        "reasons": dict(by_reason),
    }


def read(stats: om.RouterStats) -> dict[str, Any]:
    return {
        "waiting": stats.waiting,
        "longest": stats.longest_wait,
        "channels": {
            c: (s.waiting, s.longest_wait) for c, s in stats.channels.items() if s.waiting
        },
        "queues": {
            q: (dict(s.waiting_by_channel), s.longest_wait)
            for q, s in stats.queues.items()
            if s.waiting
        },
        "reasons": {r: s.waiting for r, s in stats.reasons.items() if s.waiting},
    }


class RouterWithStats(RuleBasedStateMachine):
    """Random routing; after each step stats() must agree with a full recount."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.router = om.Router(
            clock=self.clock,
            queues=[
                om.Queue(
                    "vip",
                    accepts='reason == "billing"',
                    steps=[om.Step('team == "billing"', timeout=30), om.Step()],
                    overflow=om.Overflow("default", max_waiting=3),
                ),
                om.Queue("default"),
            ],
            offer_timeout=20,
        )
        for agent_id, team in (("anna", "billing"), ("ben", "tech"), ("cleo", "tech")):
            self.router.add_agent(
                om.Agent(id=agent_id, team=team, capacity={"voice": 1, "chat": 2, "email": 2})
            )
        self.router.stats()  # counting (and the index) starts here
        self.count = 0

    def _ids(self, *states: om.InteractionState) -> list[str]:
        return sorted(i for i, w in self.router._work.items() if w.state in states)

    @rule(channel=st.sampled_from(CHANNELS), reason=st.sampled_from(REASONS))
    def submit(self, channel: str, reason: str | None) -> None:
        self.count += 1
        self.router.submit(om.Interaction(id=f"i{self.count}", channel=channel, reason=reason))

    @rule(
        agent=st.sampled_from(("anna", "ben", "cleo")),
        presence=st.sampled_from(("available", "away", "offline")),
    )
    def presence(self, agent: str, presence: str) -> None:
        with contextlib.suppress(om.UnknownAgentError):  # cleo may be removed
            self.router.set_presence(agent, presence)

    @rule(seconds=st.sampled_from((1.0, 15.0, 40.0)))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.router.tick()

    @rule(data=st.data(), action=st.sampled_from(("accept", "decline")))
    def answer_offer(self, data: st.DataObject, action: str) -> None:
        offered = self._ids(om.InteractionState.OFFERED)
        if offered:
            getattr(self.router, action)(data.draw(st.sampled_from(offered)))

    @rule(data=st.data(), action=st.sampled_from(("complete", "pause", "resume")))
    def handle(self, data: st.DataObject, action: str) -> None:
        states = {"resume": om.InteractionState.PAUSED}.get(action, om.InteractionState.ASSIGNED)
        held = self._ids(states)
        if held:
            # e.g. pausing work on a channel that cannot be paused
            with contextlib.suppress(om.OmnirouterError):
                getattr(self.router, action)(data.draw(st.sampled_from(held)))

    @rule(data=st.data(), action=st.sampled_from(("abandon", "cancel", "to_default", "to_ben")))
    def end_or_move(self, data: st.DataObject, action: str) -> None:
        open_ids = self._ids(
            om.InteractionState.QUEUED, om.InteractionState.OFFERED, om.InteractionState.ASSIGNED
        )
        if not open_ids:
            return
        chosen = data.draw(st.sampled_from(open_ids))
        with contextlib.suppress(om.OmnirouterError):
            if action == "to_default":
                self.router.transfer(chosen, queue="default")
            elif action == "to_ben":
                self.router.transfer(chosen, agent="ben")
            else:
                getattr(self.router, action)(chosen)

    @rule()
    def remove_and_readd_cleo(self) -> None:
        if "cleo" in self.router._agents:
            self.router.remove_agent("cleo")
        else:
            self.router.add_agent(om.Agent(id="cleo", team="tech", capacity={"voice": 1}))

    @invariant()
    def waiting_figures_equal_a_full_recount(self) -> None:
        now = self.clock.now
        assert read(self.router.stats()) == recount(self.router, now)


RouterWithStats.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
test_stats_equal_a_full_recount = RouterWithStats.TestCase


class NoBacklogWalks(dict):  # type: ignore[type-arg]
    """The router's open work, refusing to be walked (single lookups still work)."""

    def values(self) -> Any:
        raise AssertionError("stats() walked the backlog")

    items = keys = __iter__ = values  # type: ignore[assignment]


def test_reading_stats_does_not_walk_the_backlog() -> None:
    clock = Clock()
    router = om.Router(clock=clock)
    for n in range(50):
        clock.advance(1)
        router.submit(om.Interaction(id=f"w{n}", channel=("voice", "email")[n % 2]))
    router.stats()  # the first call indexes what waits, once
    router._work = NoBacklogWalks(router._work)
    clock.advance(10)
    router.submit(om.Interaction(id="late", channel="chat", reason="billing"))
    stats = router.stats()
    assert stats.waiting == 51
    assert stats.longest_wait == pytest.approx(59.0)  # w0 came at +1 s, now is +60 s
    assert stats.channels["chat"].waiting == 1
    assert stats.reasons["billing"].waiting == 1


def test_average_handling_time_leaves_out_paused_time() -> None:
    clock = Clock()
    router = om.Router(clock=clock)
    router.add_agent(om.Agent(id="anna", capacity={"email": 1}))
    router.set_presence("anna", "available")
    router.stats()
    events: list[om.Event] = []
    router.subscribe(events.append)
    router.submit(om.Interaction(id="e1", channel="email"))
    clock.advance(100)
    router.pause("e1")
    clock.advance(600)  # paused: not handling
    router.resume("e1")
    clock.advance(50)
    router.complete("e1")
    email = router.stats().channels["email"]
    assert email.average_handling_time == pytest.approx(150.0)
    assert router.stats().agents["anna"].average_handling_time == pytest.approx(150.0)
    assert om.blending.handling_times(events) == {"e1": pytest.approx(150.0)}
