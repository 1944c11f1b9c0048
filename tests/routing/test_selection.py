"""Agent selection policies: each picks differently, ties break by join order."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from routing_helpers import Clock, Recorder, staffed, work

import omnirouter as om


def one_at_a_time(*ids: str, **fields: object) -> list[om.Agent]:
    return [om.Agent(id=i, capacity={"voice": 1, "chat": 4}, **fields) for i in ids]  # type: ignore[arg-type]


def cycle(router: om.Router, n: int, clock: Clock, prefix: str = "w") -> list[str]:
    """Submit and complete ``n`` calls one after another; who took each."""
    taken = []
    for k in range(n):
        clock.advance(1)
        router.submit(work(f"{prefix}{k}"))
        agent_id = router.agent_of(f"{prefix}{k}")
        assert agent_id is not None
        taken.append(agent_id)
        clock.advance(1)
        router.complete(f"{prefix}{k}")
    return taken


def test_longest_idle_is_the_default(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, one_at_a_time("a", "b", "c"))
    assert cycle(router, 6, clock) == ["a", "b", "c", "a", "b", "c"]


def test_longest_idle_counts_from_the_last_change(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, one_at_a_time("a", "b"))
    router.submit(work("long"))  # a
    clock.advance(5)
    router.submit(work("short"))  # b
    clock.advance(1)
    router.complete("short")  # b idle since now
    clock.advance(1)
    router.complete("long")  # a idle since later
    clock.advance(1)
    router.submit(work("next"))
    assert router.agent_of("next") == "b"


def test_round_robin_survives_joining_and_leaving(clock: Clock) -> None:
    router = om.Router(clock=clock, selection="round_robin")
    staffed(router, one_at_a_time("a", "b", "c"))
    assert cycle(router, 2, clock) == ["a", "b"]
    router.remove_agent("c")
    staffed(router, one_at_a_time("d"))
    assert list(cycle(router, 4, clock, "later")) == ["d", "a", "b", "d"]


def test_round_robin_position_survives_snapshot(clock: Clock) -> None:
    router = om.Router(clock=clock, selection=om.selection.round_robin())
    staffed(router, one_at_a_time("a", "b", "c"))
    cycle(router, 1, clock)
    restored = om.Router.restore(router.snapshot(), clock=clock)
    assert router.snapshot() == restored.snapshot()
    router.submit(work("x"))
    restored.submit(work("x"))
    assert router.agent_of("x") == restored.agent_of("x") == "b"


def test_least_occupied_absolute_and_percent(clock: Clock) -> None:
    for percent, expected in ((False, "big"), (True, "big")):
        router = om.Router(clock=clock, selection=om.selection.least_occupied(percent=percent))
        staffed(
            router,
            [om.Agent(id="small", capacity={"chat": 2}), om.Agent(id="big", capacity={"chat": 8})],
        )
        for n in range(4):
            router.submit(work(f"c{n}", "chat"))
        held = {a: len(router.agent_status(a).work) for a in ("small", "big")}
        if percent:
            assert held == {"small": 1, "big": 3}  # 1/2 = 50 % vs 3/8 = 37.5 %
        else:
            assert held == {"small": 2, "big": 2}
        router.submit(work("next", "chat"))
        assert router.agent_of("next") == expected


def test_most_skilled(clock: Clock) -> None:
    router = om.Router(
        clock=clock,
        selection="most_skilled",
        queues=[om.Queue("q", steps=[om.Step("skills.billing >= 1")])],
    )
    staffed(
        router,
        [
            om.Agent(id="ok", skills={"billing": 2}, capacity={"voice": 1}),
            om.Agent(id="best", skills={"billing": 5}, capacity={"voice": 1}),
            om.Agent(id="good", skills={"billing": 4}, capacity={"voice": 1}),
        ],
    )
    router.submit(work("a"))
    router.submit(work("b"))
    router.submit(work("c"))
    assert [router.agent_of(x) for x in "abc"] == ["best", "good", "ok"]


def test_fewest_recent_caps_assignments_per_window(clock: Clock) -> None:
    router = om.Router(clock=clock, selection=om.selection.fewest_recent(limit=2, window=100))
    staffed(router, one_at_a_time("a"))
    cycle(router, 2, clock)
    router.submit(work("third"))
    assert router.state_of("third") is om.InteractionState.QUEUED
    assert router.explain("third")["excluded"][0]["reason"] == "fairness"
    wake = router.next_wakeup()
    assert wake is not None
    clock.now = wake
    router.tick()
    assert router.agent_of("third") == "a"


def test_weighted_random_is_seeded_and_weighted(clock: Clock) -> None:
    def run(seed: int) -> list[str]:
        router = om.Router(
            clock=clock, selection=om.selection.weighted_random(rng=random.Random(seed))
        )
        staffed(
            router,
            [
                om.Agent(id="heavy", capacity={"voice": 1}, attributes={"weight": 9}),
                om.Agent(id="light", capacity={"voice": 1}, attributes={"weight": 1}),
                om.Agent(id="never", capacity={"voice": 1}, attributes={"weight": 0}),
            ],
        )
        return cycle(router, 200, clock)

    first = run(7)
    assert first == run(7)
    assert first != run(8)
    assert "never" not in first
    assert 150 < first.count("heavy") < 200


def test_callable_policy(clock: Clock) -> None:
    def alphabetically_last(
        interaction: om.Interaction, candidates: Sequence[om.Agent]
    ) -> om.Agent:
        return max(candidates, key=lambda a: a.id)

    router = om.Router(clock=clock, selection=alphabetically_last)
    staffed(router, one_at_a_time("a", "c", "b"))
    assert cycle(router, 2, clock) == ["c", "c"]


def test_callable_policy_must_return_a_candidate(clock: Clock) -> None:
    router = om.Router(clock=clock, selection=lambda interaction, candidates: "stranger")
    staffed(router, one_at_a_time("a"))
    with pytest.raises(om.ValidationError, match="not one of the candidates"):
        router.submit(work("w"))


def test_callable_policy_may_leave_work_waiting(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, selection=lambda interaction, candidates: None)
    staffed(router, one_at_a_time("a"))
    router.submit(work("w"))
    assert router.state_of("w") is om.InteractionState.QUEUED


def test_factories_validate() -> None:
    with pytest.raises(om.ValidationError):
        om.selection.fewest_recent(limit=0, window=10)
    with pytest.raises(om.ValidationError):
        om.selection.from_callable(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------- declared capabilities


def test_policies_declare_their_hooks() -> None:
    assert not om.selection.longest_idle().gates
    assert not om.selection.longest_idle().tracks_assignments
    assert om.selection.round_robin().tracks_assignments
    fair = om.selection.fewest_recent(1, 60)
    assert fair.gates
    assert fair.tracks_assignments


def test_a_subclass_that_overrides_a_hook_declares_it_or_gets_it_declared() -> None:
    class Counting(om.SelectionPolicy):
        def assigned(self, agent: om.selection.Candidate, now: float) -> None:
            self.count = getattr(self, "count", 0) + 1

    class Quiet(Counting):
        tracks_assignments = False  # declared: the router will not call assigned

    assert Counting.tracks_assignments
    assert not Counting.gates
    assert not Quiet.tracks_assignments
    for policy_type, expected in ((Counting, 2), (Quiet, 0)):
        policy = policy_type()
        router = om.Router(clock=lambda: 10.0, selection=policy)
        router.add_agent(om.Agent(id="a", capacity={"voice": 2}))
        router.set_presence("a", "available")
        router.submit(om.Interaction(id="i1", channel="voice"))
        router.submit(om.Interaction(id="i2", channel="voice"))
        assert getattr(policy, "count", 0) == expected
