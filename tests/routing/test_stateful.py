"""Random sequences of operations keep the router's invariants (hypothesis stateful test).

Invariants: no agent over capacity, no interaction with two agents, every interaction
in exactly one state and consistent with where it sits, waiting work ordered by its
original arrival and priority (requeued work keeps its place), nothing lost across
snapshot/restore.
"""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from routing_helpers import Clock

import omnirouter as om

S = om.InteractionState
CHANNELS = ("voice", "chat", "email")
AGENT_IDS = ("a", "b", "c", "d")
OPEN = {S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED, S.SCHEDULED}


def make_router(clock: Clock) -> om.Router:
    return om.Router(
        clock=clock,
        offer_timeout=10,
        queues=[
            om.Queue(
                "billing",
                accepts='reason == "billing"',
                steps=[om.Step("skills.billing >= 3", timeout=15), om.Step("skills.billing >= 1")],
            ),
            om.Queue("general"),
        ],
    )


class RouterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.router = make_router(self.clock)
        self.submitted: dict[str, tuple[float, int, int]] = {}  # id → (time, priority, n)
        self.agents: dict[str, om.Agent] = {}
        self.count = 0

    @initialize(billing=st.integers(0, 5))
    def two_agents(self, billing: int) -> None:
        self.add_agent("a", billing, 1, 2, 2)
        self.add_agent("b", 3, 1, 1, 3)

    def ids_in(self, *states: S) -> list[str]:
        return sorted(i for i in self.submitted if self.router.state_of(i) in states)

    @rule(
        agent_id=st.sampled_from(AGENT_IDS[2:]),
        billing=st.integers(0, 5),
        voice=st.integers(1, 1),
        chat=st.integers(1, 3),
        email=st.integers(0, 3),
    )
    def add_agent(self, agent_id: str, billing: int, voice: int, chat: int, email: int) -> None:
        if agent_id in self.agents:
            return
        skills = {"billing": billing} if billing else {}
        agent = om.Agent(
            id=agent_id, skills=skills, capacity={"voice": voice, "chat": chat, "email": email}
        )
        self.router.add_agent(agent)
        self.router.set_presence(agent_id, "available")
        self.agents[agent_id] = agent

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), presence=st.sampled_from(["available", "available", "away", "offline"]))
    def set_presence(self, data: st.DataObject, presence: str) -> None:
        agent_id = data.draw(st.sampled_from(sorted(self.agents)))
        self.router.set_presence(agent_id, presence)

    @rule(
        channel=st.sampled_from(CHANNELS),
        reason=st.sampled_from(["billing", "other"]),
        priority=st.integers(-1, 2),
    )
    def submit(self, channel: str, reason: str, priority: int) -> None:
        self.submit_one(channel, reason, priority)

    @rule(channel=st.sampled_from(CHANNELS), reason=st.sampled_from(["billing", "other"]))
    def submit_plain(self, channel: str, reason: str) -> None:
        self.submit_one(channel, reason, 0)

    def submit_one(self, channel: str, reason: str, priority: int) -> None:
        self.count += 1
        interaction_id = f"i{self.count}"
        self.router.submit(
            om.Interaction(
                id=interaction_id, channel=channel, reason=reason, manual_priority=priority
            )
        )
        self.submitted[interaction_id] = (self.clock.now, priority, self.count)

    def pick(self, data: st.DataObject, *states: S) -> str | None:
        ids = self.ids_in(*states)
        return data.draw(st.sampled_from(ids)) if ids else None

    @precondition(lambda self: self.ids_in(S.OFFERED))
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.OFFERED)
        if interaction_id is not None:
            self.router.accept(interaction_id)

    @precondition(lambda self: self.ids_in(S.OFFERED))
    @rule(data=st.data())
    def decline(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.OFFERED)
        if interaction_id is not None:
            agent = self.router.agent_of(interaction_id)
            self.router.decline(interaction_id)
            assert self.router.agent_of(interaction_id) != agent

    @precondition(lambda self: self.ids_in(S.ASSIGNED))
    @rule(data=st.data(), wrap_up=st.sampled_from([0.0, 0.0, 5.0]))
    def complete(self, data: st.DataObject, wrap_up: float) -> None:
        interaction_id = self.pick(data, S.ASSIGNED)
        if interaction_id is not None:
            self.router.complete(interaction_id, wrap_up=wrap_up)
            assert self.router.state_of(interaction_id) is S.COMPLETED

    @precondition(lambda self: self.ids_in(S.QUEUED, S.OFFERED))
    @rule(data=st.data())
    def abandon(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.QUEUED, S.OFFERED)
        if interaction_id is not None:
            self.router.abandon(interaction_id)
            assert self.router.state_of(interaction_id) is S.ABANDONED

    @precondition(lambda self: self.ids_in(S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED)
        if interaction_id is not None:
            self.router.cancel(interaction_id)

    @precondition(lambda self: self.ids_in(S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED))
    @rule(data=st.data(), queue=st.sampled_from(["billing", "general"]))
    def transfer_to_queue(self, data: st.DataObject, queue: str) -> None:
        interaction_id = self.pick(data, S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED)
        if interaction_id is not None:
            self.router.transfer(interaction_id, queue=queue)

    @precondition(lambda self: self.agents)
    @rule(data=st.data())
    def transfer_to_agent(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED)
        agent_id = data.draw(st.sampled_from(sorted(self.agents)))
        if interaction_id is None:
            return
        before = (self.router.state_of(interaction_id), self.router.agent_of(interaction_id))
        try:
            self.router.transfer(interaction_id, agent=agent_id)
        except om.CapacityExceededError:  # the agent's profile refuses the channel
            after = (self.router.state_of(interaction_id), self.router.agent_of(interaction_id))
            assert after == before

    @precondition(lambda self: self.agents)
    @rule(data=st.data())
    def pull(self, data: st.DataObject) -> None:
        agent_id = data.draw(st.sampled_from(sorted(self.agents)))
        try:
            self.router.pull(agent_id)
        except om.InvalidStateError:
            assert self.router.agent_status(agent_id).presence == "offline"

    @precondition(lambda self: self.ids_in(S.QUEUED))
    @rule(data=st.data(), priority=st.integers(-1, 2))
    def set_priority(self, data: st.DataObject, priority: int) -> None:
        interaction_id = self.pick(data, S.QUEUED)
        if interaction_id is not None:
            self.router.set_priority(interaction_id, priority)
            time, _, n = self.submitted[interaction_id]
            self.submitted[interaction_id] = (time, priority, n)

    @precondition(lambda self: self.ids_in(S.ASSIGNED))
    @rule(data=st.data())
    def pause(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.ASSIGNED)
        if interaction_id is not None and self.router.explain(interaction_id)["channel"] == "email":
            self.router.pause(interaction_id)

    @precondition(lambda self: self.ids_in(S.PAUSED))
    @rule(data=st.data())
    def resume(self, data: st.DataObject) -> None:
        interaction_id = self.pick(data, S.PAUSED)
        if interaction_id is not None:
            try:
                self.router.resume(interaction_id)
            except om.CapacityExceededError:
                assert self.router.state_of(interaction_id) is S.PAUSED

    @rule(seconds=st.sampled_from([0.5, 3.0, 10.0, 16.0]))
    def tick(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.router.tick()

    @rule()
    def snapshot_and_restore(self) -> None:
        data = self.router.snapshot()
        restored = om.Router.restore(json.loads(json.dumps(data)), clock=self.clock)
        assert restored.snapshot() == data
        assert restored.waiting() == self.router.waiting()
        self.router = restored

    # ---------------------------------------------------------------- invariants

    @invariant()
    def no_agent_over_capacity(self) -> None:
        for agent_id, agent in self.agents.items():
            status = self.router.agent_status(agent_id)
            held = Counter(self.channel_of(i) for i in (*status.work, *status.wrapping_up))
            for channel, count in held.items():
                assert count <= agent.capacity.per_channel.get(channel, 0), (agent_id, held)

    def channel_of(self, interaction_id: str) -> str:
        return self.router.explain(interaction_id).get("channel") or self.wrapped_channel(
            interaction_id
        )

    def wrapped_channel(self, interaction_id: str) -> str:
        data = self.router.snapshot()
        for agent in data["agents"]:
            if interaction_id in agent["wrapping"]:
                return str(agent["wrapping"][interaction_id])
        raise AssertionError(f"{interaction_id} held but unknown")

    @invariant()
    def one_agent_and_one_state_each(self) -> None:
        holders: Counter[str] = Counter()
        for agent_id in self.agents:
            status = self.router.agent_status(agent_id)
            holders.update(status.work)
            holders.update(status.paused)
        assert all(n == 1 for n in holders.values()), holders
        waiting = self.router.waiting()
        assert len(waiting) == len(set(waiting))
        for interaction_id in self.submitted:
            state = self.router.state_of(interaction_id)
            held = holders.get(interaction_id, 0)
            if state in (S.OFFERED, S.ASSIGNED, S.PAUSED):
                assert held == 1
                assert self.router.agent_of(interaction_id) is not None
                assert interaction_id not in waiting
            elif state is S.QUEUED:
                assert held == 0
                assert interaction_id in waiting
            else:
                assert state.terminal
                assert held == 0
                assert interaction_id not in waiting

    @invariant()
    def waiting_order_is_arrival_and_priority(self) -> None:
        waiting = self.router.waiting()

        def key(i: str) -> tuple[float, int]:
            time, priority, n = self.submitted[i]
            return (time - 60.0 * priority, n)

        assert waiting == sorted(waiting, key=key)

    @invariant()
    def nothing_lost(self) -> None:
        states = {i: self.router.state_of(i) for i in self.submitted}
        assert all(s in OPEN or s.terminal for s in states.values())


RouterMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRouterMachine = RouterMachine.TestCase
