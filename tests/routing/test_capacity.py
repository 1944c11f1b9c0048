"""Capacity: per-channel caps, channel families, totals, a shared budget, exclusive channels."""

from __future__ import annotations

import pytest
from routing_helpers import Clock, staffed, work

import omnirouter as om

S = om.InteractionState


def held(router: om.Router, agent_id: str) -> int:
    return len(router.agent_status(agent_id).work)


def test_per_channel_caps(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="x", capacity={"chat": 2, "email": 1})])
    for n in range(3):
        router.submit(work(f"c{n}", "chat"))
    router.submit(work("e0", "email"))
    router.submit(work("e1", "email"))
    router.submit(work("v0", "voice"))  # voice is not in the profile at all
    assert router.agent_status("x").work == ("c0", "c1", "e0")
    assert router.waiting() == ["c2", "e1", "v0"]
    router.complete("c0")
    assert router.agent_of("c2") == "x"


def test_empty_profile_means_one_at_a_time(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="x")])
    router.submit(work("a", "email"))
    router.submit(work("b", "voice"))
    assert held(router, "x") == 1
    assert router.state_of("b") is S.QUEUED


def test_family_cap_counts_all_members(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="x", capacity={"messenger": 2})])
    router.submit(work("w", "whatsapp"))
    router.submit(work("t", "telegram"))
    router.submit(work("r", "rcs"))
    assert router.agent_status("x").work == ("w", "t")
    assert router.state_of("r") is S.QUEUED


def test_total_cap(clock: Clock) -> None:
    router = om.Router(clock=clock)
    profile = om.CapacityProfile(per_channel={"chat": 4, "email": 5}, total=3)
    staffed(router, [om.Agent(id="x", capacity=profile)])
    for n in range(3):
        router.submit(work(f"c{n}", "chat"))
    router.submit(work("e", "email"))
    assert held(router, "x") == 3
    assert router.state_of("e") is S.QUEUED


def test_shared_budget_with_units(clock: Clock) -> None:
    router = om.Router(clock=clock)
    profile = om.CapacityProfile(budget=100, units={"voice": 100, "chat": 25, "email": 50})
    staffed(router, [om.Agent(id="x", capacity=profile)])
    router.submit(work("c1", "chat"))
    router.submit(work("e1", "email"))
    router.submit(work("c2", "chat"))  # 25 + 50 + 25 = 100
    router.submit(work("c3", "chat"))
    router.submit(work("v", "voice"))
    assert router.agent_status("x").work == ("c1", "e1", "c2")
    assert router.agent_status("x").occupancy == 1.0
    router.complete("e1")  # 50 free: one more chat (25), the call (100) still waits
    assert router.agent_of("c3") == "x"
    assert router.state_of("v") is S.QUEUED


def test_exclusive_channel_blocks_everything_else(clock: Clock) -> None:
    router = om.Router(clock=clock)
    profile = om.CapacityProfile(per_channel={"voice": 1, "email": 5}, exclusive=["voice"])
    staffed(router, [om.Agent(id="x", capacity=profile)])
    router.submit(work("call", "voice"))
    router.submit(work("mail", "email"))
    assert router.agent_status("x").work == ("call",)
    router.complete("call")
    assert router.agent_of("mail") == "x"
    router.submit(work("call2", "voice"))  # holding an email: no call is delivered
    assert router.state_of("call2") is S.QUEUED


def test_allowed_channels_list(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="x", channels=["email"], capacity={"email": 2, "chat": 2})])
    router.submit(work("c", "chat"))
    router.submit(work("e", "email"))
    assert router.agent_status("x").work == ("e",)


def test_wrap_up_keeps_capacity_busy(clock: Clock) -> None:
    router = om.Router(clock=clock)
    seen: list[str] = []
    router.subscribe(lambda e: seen.append(e.kind), kinds=["wrap_up_ended"])
    staffed(router, [om.Agent(id="x", capacity={"voice": 1})])
    router.submit(work("a"))
    router.submit(work("b"))
    router.complete("a", wrap_up=30)
    assert router.state_of("a") is S.COMPLETED
    assert router.state_of("b") is S.QUEUED
    assert router.agent_status("x").wrapping_up == ("a",)
    assert router.next_wakeup() == clock.now + 30
    clock.advance(30)
    router.tick()
    assert seen == ["wrap_up_ended"]
    assert router.agent_of("b") == "x"


def test_presence_gates_new_work_but_keeps_current(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="x", capacity={"chat": 3})])
    router.submit(work("a", "chat"))
    router.set_presence("x", "away")
    router.submit(work("b", "chat"))
    assert router.agent_of("a") == "x"
    assert router.state_of("b") is S.QUEUED
    router.set_presence("x", "available")
    assert router.agent_of("b") == "x"


def test_pause_frees_capacity_and_resume_takes_it_back(clock: Clock) -> None:
    router = om.Router(clock=clock)
    events: list[str] = []
    router.subscribe(lambda e: events.append(e.kind), kinds=["paused", "resumed"])
    profile = om.CapacityProfile(per_channel={"voice": 1, "email": 1}, total=1)
    staffed(router, [om.Agent(id="x", capacity=profile)])
    router.submit(work("mail", "email"))
    router.submit(work("call", "voice"))
    assert router.state_of("call") is S.QUEUED
    router.pause("mail")  # calls pile up: interrupt the e-mail
    assert router.state_of("mail") is S.PAUSED
    assert router.agent_of("call") == "x"
    assert router.agent_status("x").paused == ("mail",)
    with pytest.raises(om.CapacityExceededError, match="at capacity"):
        router.resume("mail")
    router.complete("call")
    router.resume("mail")
    assert router.state_of("mail") is S.ASSIGNED
    assert router.agent_status("x").work == ("mail",)
    assert events == ["paused", "resumed"]
    router.complete("mail")
    router.submit(work("call2", "voice"))
    with pytest.raises(om.InvalidStateError, match="not interruptible"):
        router.pause("call2")


def test_paused_work_survives_snapshot_and_agent_removal(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="x", capacity={"email": 1}), om.Agent(id="y", capacity={})])
    router.submit(work("mail", "email"))
    router.pause("mail")
    copy = om.Router.restore(router.snapshot(), clock=clock)
    assert copy.snapshot() == router.snapshot()
    assert copy.state_of("mail") is S.PAUSED
    copy.remove_agent("x")  # the paused e-mail goes back to the queue, and on to y
    assert copy.agent_of("mail") == "y"
    assert copy.state_of("mail") is S.ASSIGNED
