"""Random sequences of operations keep the router's invariants (hypothesis stateful test).

Invariants, checked after every step: no agent over capacity; no interaction held by
two agents; every interaction in exactly one state, and where that state says it is
(nothing lost): waiting work is in the waiting list and held by nobody, offered,
assigned and paused work is held by exactly one agent, work waiting for its parts has
open parts or is about to end, a scheduled callback is held by nobody, and ended work
is held by nobody and was announced by exactly one end event of its kind; waiting work
is ordered by its original arrival and priority (requeued work keeps its place); a
snapshot restores to the same state.

The run is long on purpose (at least 100,000 steps per test run): the invariants read
only the open work (ended work is checked once, when it ends, and never changes
again), so each step stays cheap however long the sequence grows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from routing_helpers import Clock

import omnirouter as om

S = om.InteractionState
CHANNELS = ("voice", "chat", "email")
REASONS = ("billing", "other")
AGENT_IDS = ("a", "b", "c", "d")
HELD = (S.OFFERED, S.ASSIGNED, S.PAUSED)
#: Steps the whole test must run (the acceptance of the routing core's redesign).
MIN_STEPS = 100_000
#: Examples per round; rounds run until MIN_STEPS steps have (sequences vary in length).
EXAMPLES = 100
STEPS_PER_EXAMPLE = 300
#: Which of the candidates a rule picks (one draw, however many there are).
INDEX = st.integers(0, 255)


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
    def __init__(self, counter: list[int] | None = None) -> None:
        super().__init__()
        self.counter = counter if counter is not None else [0]
        self.clock = Clock()
        self.router = make_router(self.clock)
        #: id → (time, priority, n): the order waiting work must keep.
        self.submitted: dict[str, tuple[float, int, int]] = {}
        self.channel: dict[str, str] = {}
        self.agents: dict[str, om.Agent] = {}
        #: Open work by state (refreshed after every step; the rules pick from it).
        self.by_state: dict[S, list[str]] = {}
        self.open: set[str] = set()
        self.ended: dict[str, S] = {}
        self.end_events: Counter[str] = Counter()
        self.end_kind: dict[str, str] = {}
        self.parts: dict[str, list[str]] = {}
        self.count = 0
        self.steps = 0
        self._listen()

    def _listen(self) -> None:
        kinds = [s.value for s in S if s.terminal]

        def record(event: om.Event) -> None:
            assert event.interaction_id is not None
            self.end_events[event.interaction_id] += 1
            self.end_kind[event.interaction_id] = event.kind

        self.router.subscribe(record, kinds=kinds)

    @initialize(billing=st.integers(0, 5))
    def two_agents(self, billing: int) -> None:
        self.add_agent("a", billing, 1, 2, 2)
        self.add_agent("b", 3, 1, 1, 3)

    def ids_in(self, *states: S) -> list[str]:
        found: list[str] = []
        for state in states:
            found.extend(self.by_state.get(state, ()))
        return sorted(found)

    @rule(code=st.integers(0, 6 * 3 * 4 - 1))
    def join(self, code: int) -> None:
        """The next agent joins: billing skill 0..5 × chats 1..3 × e-mails 0..3."""
        agent_id = next((a for a in AGENT_IDS if a not in self.agents), None)
        if agent_id is None:
            self.set_presence(code)
            return
        self.add_agent(agent_id, code % 6, 1, code // 6 % 3 + 1, code // 18)

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

    @rule(index=INDEX)
    def set_presence(self, index: int) -> None:
        presence = ("available", "available", "away", "offline")[index % 4]
        agent_id = self.agent_at(index // 4)
        self.router.set_presence(agent_id, presence)

    @rule(code=st.integers(0, 35))
    def submit(self, code: int) -> None:
        """channel × reason × priority (-1, 0, 0, 0, 1, 2) in one draw."""
        channel, reason = CHANNELS[code % 3], REASONS[code // 3 % 2]
        self.submit_one(channel, reason, (-1, 0, 0, 0, 1, 2)[code // 6])

    def submit_one(self, channel: str, reason: str, priority: int) -> None:
        self.count += 1
        interaction_id = f"i{self.count}"
        self.router.submit(
            om.Interaction(
                id=interaction_id, channel=channel, reason=reason, manual_priority=priority
            )
        )
        self.known(interaction_id, channel, (self.clock.now, priority, self.count))

    def known(self, interaction_id: str, channel: str, key: tuple[float, int, int]) -> None:
        self.submitted[interaction_id] = key
        self.channel[interaction_id] = channel
        self.open.add(interaction_id)

    def pick(self, index: int, *states: S) -> str | None:
        """The work at ``index`` among those in ``states``; with none, new work arrives
        instead (rules have no preconditions: choosing among enabled rules costs more
        than a step, and every step still calls the router)."""
        ids = self.ids_in(*states)
        if ids:
            return ids[index % len(ids)]
        self.submit_one(CHANNELS[index % 3], REASONS[index // 3 % 2], 0)
        return None

    def agent_at(self, index: int) -> str:
        names = sorted(self.agents)
        return names[index % len(names)]

    @rule(index=INDEX)
    def answer_offer(self, index: int) -> None:
        """Accept (even index) or decline (odd) an offer."""
        interaction_id = self.pick(index // 2, S.OFFERED)
        if interaction_id is None:
            return
        if index % 2 == 0:
            self.router.accept(interaction_id)
            assert self.router.state_of(interaction_id) is S.ASSIGNED
        else:
            agent = self.router.agent_of(interaction_id)
            self.router.decline(interaction_id)
            assert self.router.agent_of(interaction_id) != agent

    @rule(index=INDEX)
    def complete(self, index: int) -> None:
        """Complete assigned work, with a wrap-up every third time."""
        interaction_id = self.pick(index // 3, S.ASSIGNED)
        if interaction_id is None:
            return
        try:
            self.router.complete(interaction_id, wrap_up=5.0 if index % 3 == 2 else 0.0)
        except om.InvalidStateError:  # a consultation of it is still open
            assert self.router.state_of(interaction_id) is S.ASSIGNED
            return
        assert self.router.state_of(interaction_id) is S.COMPLETED

    @rule(index=INDEX)
    def end(self, index: int) -> None:
        """The customer abandons (even index: scheduled, queued or offered work) or the
        host cancels (odd: anything open)."""
        if index % 2 == 0:
            interaction_id = self.pick(index // 2, S.SCHEDULED, S.QUEUED, S.OFFERED)
            if interaction_id is not None:
                self.router.abandon(interaction_id)
                assert self.router.state_of(interaction_id) is S.ABANDONED
            return
        interaction_id = self.pick(index // 2, *HELD, S.QUEUED, S.WAITING_FOR_CHILDREN)
        if interaction_id is not None:
            self.router.cancel(interaction_id)
            assert self.router.state_of(interaction_id) is S.CANCELLED

    @rule(index=INDEX)
    def transfer(self, index: int) -> None:
        """To a queue (index % 3 < 2: billing or general) or to an agent."""
        interaction_id = self.pick(index // 3, S.QUEUED, *HELD)
        if interaction_id is None:
            return
        if index % 3 < 2:
            self.router.transfer(interaction_id, queue=("billing", "general")[index % 3])
            return
        agent_id = self.agent_at(index // 16)
        before = (self.router.state_of(interaction_id), self.router.agent_of(interaction_id))
        try:
            self.router.transfer(interaction_id, agent=agent_id)
        except om.CapacityExceededError:  # the agent's profile refuses the channel
            after = (self.router.state_of(interaction_id), self.router.agent_of(interaction_id))
            assert after == before

    @rule(index=INDEX)
    def split_or_consult(self, index: int) -> None:
        """Consult on assigned work (index % 3 == 0), or split waiting work in 1 or 2."""
        consult, parts = index % 3 == 0, index % 3
        index //= 3
        interaction_id = self.pick(index, S.ASSIGNED) if consult else self.pick(index, S.QUEUED)
        if interaction_id is None:
            return
        time = self.submitted[interaction_id][0]
        ids = []
        for _ in range(1 if consult else parts):
            self.count += 1
            ids.append(f"i{self.count}")
        interactions = [om.Interaction(id=i, channel="email", reason="other") for i in ids]
        if consult:
            self.router.consult(interaction_id, interactions[0])
            assert self.router.state_of(interaction_id) is S.ASSIGNED
        else:
            self.router.split(interaction_id, interactions)
        n = self.count - len(ids)
        for offset, part in enumerate(ids, start=1):
            self.known(part, "email", (time, 0, n + offset))
        self.parts.setdefault(interaction_id, []).extend(ids)

    @rule(index=INDEX)
    def pull(self, index: int) -> None:
        agent_id = self.agent_at(index)
        try:
            self.router.pull(agent_id)
        except om.InvalidStateError:
            assert self.router.agent_status(agent_id).presence == "offline"

    @rule(index=INDEX)
    def set_priority(self, index: int) -> None:
        priority = index % 4 - 1
        interaction_id = self.pick(index // 4, S.QUEUED)
        if interaction_id is not None:
            self.router.set_priority(interaction_id, priority)
            time, _, n = self.submitted[interaction_id]
            self.submitted[interaction_id] = (time, priority, n)

    @rule(index=INDEX)
    def pause(self, index: int) -> None:
        interaction_id = self.pick(index, S.ASSIGNED)
        if interaction_id is not None and self.channel[interaction_id] == "email":
            self.router.pause(interaction_id)
            assert self.router.state_of(interaction_id) is S.PAUSED

    @rule(index=INDEX)
    def resume(self, index: int) -> None:
        interaction_id = self.pick(index, S.PAUSED)
        if interaction_id is not None:
            try:
                self.router.resume(interaction_id)
            except om.CapacityExceededError:
                assert self.router.state_of(interaction_id) is S.PAUSED

    @rule(seconds=st.sampled_from((0.5, 3.0, 10.0, 16.0)))
    def tick(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.router.tick()

    @rule()
    def snapshot_and_restore(self) -> None:
        if self.steps % 10:  # rarely (the dearest step): otherwise time passes
            self.tick(0.5)
            return
        data = self.router.snapshot()
        restored = om.Router.restore(json.loads(json.dumps(data)), clock=self.clock)
        assert restored.snapshot() == data
        assert restored.waiting() == self.router.waiting()
        self.router = restored
        self._listen()

    # ---------------------------------------------------------------- invariants

    @invariant()
    def invariants(self) -> None:
        """All invariants in one pass over the agents and the open work."""
        self.counter[0] += 1
        self.steps += 1
        router = self.router
        holders: Counter[str] = Counter()
        for agent_id, agent in self.agents.items():
            status = router.agent_status(agent_id)
            # No agent over capacity (paused work does not count).
            held = Counter(self.channel[i] for i in (*status.work, *status.wrapping_up))
            for channel, count in held.items():
                assert count <= agent.capacity.per_channel.get(channel, 0), (agent_id, held)
            holders.update(status.work)
            holders.update(status.paused)
            for interaction_id in (*status.work, *status.paused):
                assert router.agent_of(interaction_id) == agent_id
        # No interaction with two agents.
        assert all(n == 1 for n in holders.values()), holders
        waiting = router.waiting()
        assert len(waiting) == len(set(waiting))
        # Every interaction in exactly one state, and where that state says (nothing lost).
        by_state: dict[S, list[str]] = {}
        for interaction_id in list(self.open):
            state = router.state_of(interaction_id)
            CHECKS[state](self, interaction_id, holders, waiting)
            if state.terminal:
                self.open.discard(interaction_id)
                self.ended[interaction_id] = state
            else:
                by_state.setdefault(state, []).append(interaction_id)
        self.by_state = by_state
        assert len(self.open) + len(self.ended) == len(self.submitted)
        assert set(waiting) == set(by_state.get(S.QUEUED, ()))
        assert set(holders) == {i for s in HELD for i in by_state.get(s, ())}
        # Waiting work is ordered by its original arrival and priority.

        def key(i: str) -> tuple[float, int]:
            time, priority, n = self.submitted[i]
            return (time - 60.0 * priority, n)

        assert waiting == sorted(waiting, key=key)


# The agents' loop of the invariants has checked that agent_of names each holder.


def _waiting(machine: RouterMachine, i: str, holders: Counter[str], waiting: list[str]) -> None:
    assert holders[i] == 0
    assert i in waiting


def _held(machine: RouterMachine, i: str, holders: Counter[str], waiting: list[str]) -> None:
    assert holders[i] == 1
    assert i not in waiting


def _scheduled(machine: RouterMachine, i: str, holders: Counter[str], waiting: list[str]) -> None:
    assert holders[i] == 0
    assert i not in waiting


def _waiting_for_parts(
    machine: RouterMachine, i: str, holders: Counter[str], waiting: list[str]
) -> None:
    assert holders[i] == 0
    assert i not in waiting
    assert machine.router.agent_of(i) is None
    # A split waits for its parts: one of them at least is still open.
    assert any(not machine.router.state_of(p).terminal for p in machine.parts[i])


def _ended(machine: RouterMachine, i: str, holders: Counter[str], waiting: list[str]) -> None:
    assert holders[i] == 0
    assert i not in waiting
    assert machine.router.agent_of(i) is None
    # Exactly one end event, of the end state's kind: ended once, and said so.
    assert machine.end_events[i] == 1, (i, machine.end_events[i])
    assert machine.end_kind[i] == machine.router.state_of(i).value


def _never(machine: RouterMachine, i: str, holders: Counter[str], waiting: list[str]) -> None:
    raise AssertionError(f"{i} is {machine.router.state_of(i).value} after a call returned")


Check = Callable[[RouterMachine, str, Counter[str], list[str]], None]

#: What each state promises about where the interaction is; every state has a check.
CHECKS: dict[S, Check] = {
    S.NEW: _never,
    S.SCHEDULED: _scheduled,
    S.QUEUED: _waiting,
    S.OFFERED: _held,
    S.ASSIGNED: _held,
    S.PAUSED: _held,
    S.WAITING_FOR_CHILDREN: _waiting_for_parts,
    **{state: _ended for state in S if state.terminal},
}


def test_every_state_has_a_check() -> None:
    assert set(CHECKS) == set(S)


def test_the_router_keeps_its_invariants_over_long_random_runs() -> None:
    counter = [0]
    rounds = 0
    while counter[0] < MIN_STEPS:
        rounds += 1
        assert rounds <= 20, f"only {counter[0]} steps in {rounds - 1} rounds"
        run_state_machine_as_test(
            lambda: RouterMachine(counter),
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS_PER_EXAMPLE,
                deadline=None,
                database=None,  # fresh examples each round
                suppress_health_check=list(HealthCheck),
            ),
        )
    assert counter[0] >= MIN_STEPS
