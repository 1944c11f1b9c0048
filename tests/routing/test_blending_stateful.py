"""A hypothesis state machine drives a router with blending rules through random traffic:
nothing is lost, paused work stays with its agent, capacity and the fax rule hold, and
a snapshot continues exactly."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from routing_helpers import Clock, Recorder

import omnirouter as om

S = om.InteractionState
CHANNELS = ("voice", "email", "fax", "chat")
RULES = [
    om.BlendRule(
        "calls_waiting",
        when="waiting.voice > 3",
        agents="holding.email > 0 OR holding.fax > 0",
        offer=["voice"],
    ),
    om.BlendRule("no_fax_on_phone", agents="holding.voice > 0", deny=["fax"]),
    om.BlendRule(
        "chat_surge",
        when="waiting.chat > 2",
        until="waiting.chat == 0",
        agents="skills.chat >= 1",
        offer=["chat"],
        deny=["email"],
        keep={"email": 1},
    ),
]
AGENTS = [
    om.Agent(
        id="a",
        skills={"chat": 1},
        capacity=om.CapacityProfile(
            per_channel={"voice": 1, "email": 1, "fax": 1, "chat": 2}, total=1
        ),
    ),
    om.Agent(id="b", capacity={"voice": 1, "fax": 2, "chat": 3}),
    om.Agent(
        id="c",
        skills={"chat": 2},
        capacity=om.CapacityProfile(per_channel={"email": 2, "chat": 2, "voice": 1}, total=2),
    ),
]


class BlendingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.recorder = Recorder()
        self.router = om.Router(clock=self.clock, blending=RULES)
        self.router.subscribe(self.recorder)
        for agent in AGENTS:
            self.router.add_agent(agent)
            self.router.set_presence(agent.id, "available")
        self.open: dict[str, str] = {}
        self.count = 0

    def _in(self, state: S) -> list[str]:
        return sorted(i for i in self.open if self.router.state_of(i) is state)

    @rule(channel=st.sampled_from(CHANNELS))
    def submit(self, channel: str) -> None:
        self.count += 1
        interaction_id = f"{channel}{self.count}"
        self.router.submit(om.Interaction(id=interaction_id, channel=channel))
        self.open[interaction_id] = channel

    @precondition(lambda self: bool(self._in(S.ASSIGNED)))
    @rule(data=st.data())
    def complete(self, data: st.DataObject) -> None:
        interaction_id = data.draw(st.sampled_from(self._in(S.ASSIGNED)))
        self.router.complete(interaction_id)
        del self.open[interaction_id]

    @precondition(lambda self: bool(self._in(S.QUEUED)))
    @rule(data=st.data())
    def abandon(self, data: st.DataObject) -> None:
        interaction_id = data.draw(st.sampled_from(self._in(S.QUEUED)))
        self.router.abandon(interaction_id)
        del self.open[interaction_id]

    @rule(agent=st.sampled_from([a.id for a in AGENTS]), present=st.booleans())
    def presence(self, agent: str, present: bool) -> None:
        self.router.set_presence(agent, "available" if present else "away")

    @rule(seconds=st.integers(1, 120))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.router.tick()

    @rule()
    def restart_from_snapshot(self) -> None:
        data = self.router.snapshot()
        copy = om.Router.restore(data, clock=self.clock)
        assert copy.snapshot() == data
        copy.subscribe(self.recorder)
        self.router = copy

    @invariant()
    def nothing_is_lost(self) -> None:
        places: Counter[str] = Counter(self.router.waiting())
        for agent in AGENTS:
            status = self.router.agent_status(agent.id)
            places.update(status.work)
            places.update(status.paused)
        assert places == Counter(list(self.open))

    @invariant()
    def paused_work_stays_with_the_agent_who_paused_it(self) -> None:
        paused_by: dict[str, str] = {}
        for event in self.recorder.events:
            if event.kind == "paused" and event.interaction_id is not None:
                paused_by[event.interaction_id] = event.agent_id or ""
        for agent in AGENTS:
            for interaction_id in self.router.agent_status(agent.id).paused:
                assert paused_by[interaction_id] == agent.id

    @invariant()
    def capacity_holds(self) -> None:
        for agent in AGENTS:
            held = Counter(self.open[i] for i in self.router.agent_status(agent.id).work)
            profile = agent.capacity
            for channel, count in held.items():
                assert count <= profile.per_channel[channel]
            if profile.total is not None:
                assert sum(held.values()) <= profile.total

    @invariant()
    def no_fax_is_delivered_to_an_agent_on_the_phone(self) -> None:
        # A fax the agent holds next to a call must have come before the call.
        last_given: dict[str, int] = {}
        for index, event in enumerate(self.recorder.events):
            if event.kind in ("assigned", "resumed") and event.interaction_id is not None:
                last_given[event.interaction_id] = index
        for agent in AGENTS:
            work = self.router.agent_status(agent.id).work
            calls = [last_given[i] for i in work if self.open[i] == "voice"]
            faxes = [last_given[i] for i in work if self.open[i] == "fax"]
            if calls and faxes:
                assert max(faxes) < min(calls)


BlendingMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestBlendingMachine = BlendingMachine.TestCase
