"""Verified recovery: a different configuration or a replay that diverges is refused,
names what differs, and writes nothing; a correct recovery afterwards still works."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ops_helpers import Clock

import omnirouter as om


def vip_first(interaction: om.Interaction, now: float) -> float:
    """A priority hook: VIP work gets ten minutes of head start."""
    return 600.0 if interaction.attributes.get("vip") else 0.0


def vip_first_renamed(interaction: om.Interaction, now: float) -> float:
    """The same rule under another name."""
    return 600.0 if interaction.attributes.get("vip") else 0.0


def head_start(seconds: float) -> Callable[[om.Interaction, float], float]:
    """Hooks with one qualified name but different behaviour (a closure)."""

    def hook(interaction: om.Interaction, now: float) -> float:
        return seconds if interaction.attributes.get("vip") else 0.0

    return hook


class Deadlines:
    """A service-level hook: every answer is due in an hour."""

    at_risk_fraction = 0.5

    def deadline(self, interaction: Any, traits: Any, submitted_at: float) -> float:
        return submitted_at + 3600.0


def _record(path: Path, **hooks: Any) -> dict[str, Any]:
    """One agent, three waiting e-mails (the VIP one last), then the agent frees up."""
    clock = Clock()
    router = om.Router(clock=clock, journal=om.SQLiteJournal(path, snapshot_every=0), **hooks)
    router.add_agent(om.Agent(id="anna", capacity={"email": 1}, skills={"reviewer": 1}))
    for n, vip in enumerate((False, False, True)):
        clock.advance(10)
        router.submit(om.Interaction(id=f"m{n}", channel="email", attributes={"vip": vip}))
    clock.advance(10)
    router.set_presence("anna", "available")
    state = router.snapshot()
    assert router.journal is not None
    router.journal.close()
    return state


def _refused(path: Path, match: str, **hooks: Any) -> om.RecoveryError:
    before = om.SQLiteJournal(path)
    seqs, last = before.snapshot_seqs(), before.last_seq()
    before.close()
    with pytest.raises(om.RecoveryError, match=match) as caught:
        om.Router.recover(om.SQLiteJournal(path), clock=Clock(), **hooks)
    after = om.SQLiteJournal(path)
    assert (after.snapshot_seqs(), after.last_seq()) == (seqs, last)  # nothing written
    after.close()
    return caught.value


def test_a_missing_priority_hook_is_refused_then_the_right_one_recovers(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    state = _record(path, priority=vip_first)
    error = _refused(path, "priority")
    assert "test_verified_recovery.vip_first" in str(error)
    assert "manual_priority (default)" in str(error)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=Clock(), priority=vip_first)
    assert recovered.snapshot() == state
    assert recovered.agent_of("m2") == "anna"
    assert recovered.journal is not None
    recovered.journal.close()


def test_a_different_priority_hook_names_both(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _record(path, priority=vip_first)
    error = _refused(path, "vip_first_renamed", priority=vip_first_renamed)
    assert "recorded 'test_verified_recovery.vip_first'" in str(error)


def test_an_accepted_change_still_must_replay_the_recorded_events(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    state = _record(path, priority=vip_first)
    # The same behaviour under a new name: accepted, and checkpointed under it.
    recovered = om.Router.recover(
        om.SQLiteJournal(path),
        clock=Clock(),
        priority=vip_first_renamed,
        accept_changes=["priority"],
    )
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()
    again = om.Router.recover(om.SQLiteJournal(path), clock=Clock(), priority=vip_first_renamed)
    assert again.snapshot() == state
    assert again.journal is not None
    again.journal.close()


def test_a_replay_that_gives_other_events_stops_at_the_first_difference(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    state = _record(path, priority=head_start(600.0))
    # Same qualified name, so the configurations agree; the behaviour differs.
    error = _refused(
        path,
        r"command 5 \(set_presence at 1700000040.0\) replays differently",
        priority=head_start(0.0),
    )
    assert "assigned interaction_id='m2'" in str(error)
    assert "replayed assigned interaction_id='m0'" in str(error)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=Clock(), priority=head_start(600.0))
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()


def test_a_missing_service_level_hook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    state = _record(path, sla=Deadlines())
    error = _refused(path, "sla")
    assert "Deadlines" in str(error)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=Clock(), sla=Deadlines())
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()


def test_a_different_selection_callable_is_refused(tmp_path: Path) -> None:
    def first(interaction: Any, candidates: list[Any]) -> Any:
        return candidates[0]

    def last(interaction: Any, candidates: list[Any]) -> Any:
        return candidates[-1]

    path = tmp_path / "sel.db"
    _record(path, selection=first)
    _refused(path, "selection", selection=last)
    _refused(path, "selection")  # and a missing one


def test_a_missing_four_eyes_rule_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    _record(path, four_eyes=om.FourEyes(channels=["email"]))
    error = _refused(path, "four_eyes")
    assert "reviewer" in str(error)
    _refused(path, "four_eyes", four_eyes=om.FourEyes(channels=["social_public"]))


class QuietChats:
    """A custom blending policy that never switches."""

    name = "quiet"
    offers: frozenset[str] = frozenset()
    denies = frozenset({"chat"})

    def active(self, load: object, was_active: bool) -> bool:
        return False

    def applies_to(self, agent: object) -> bool:
        return True


class LoudChats(QuietChats):
    """Another policy under the same rule name."""


def test_a_different_blending_policy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    state = _record(path, blending=[QuietChats()])
    error = _refused(path, "blending", blending=[LoudChats()])
    assert "LoudChats" in str(error)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=Clock(), blending=[QuietChats()])
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()


def test_accept_changes_names_only_known_parts(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _record(path)
    with pytest.raises(om.RecoveryError, match="unknown parts"):
        om.Router.recover(om.SQLiteJournal(path), accept_changes=["colour"])


def test_a_recorded_configuration_is_plain_data(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    _record(path, priority=vip_first, sla=Deadlines(), four_eyes=om.FourEyes())
    snapshot = om.SQLiteJournal(path).snapshot()
    assert snapshot is not None
    assert snapshot.config is not None
    config = dict(snapshot.config)
    assert config["priority"] == "test_verified_recovery.vip_first"
    assert config["sla"] == {"hook": "test_verified_recovery.Deadlines", "at_risk_fraction": 0.5}
    assert config["four_eyes"]["channels"] == ["social_public"]
    assert config["selection"] == {"name": "longest_idle"}
    assert [queue["name"] for queue in config["queues"]] == ["default"]


def test_a_different_scoring_strategy_is_refused(tmp_path: Path) -> None:
    vip = om.PriorityScorer(
        {"name": "vip", "factors": [{"kind": "tier", "values": {"gold": 1.0}, "weight": 600}]}
    )
    fifo = vip.with_strategy(
        {"name": "fifo", "factors": [{"kind": "tier", "values": {"gold": 1.0}, "weight": 0}]}
    )
    path = tmp_path / "strategy.db"
    state = _record(path, priority=vip)
    error = _refused(path, "priority", priority=fifo)
    assert "'fifo'" in str(error)
    assert "'vip'" in str(error)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=Clock(), priority=vip)
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()
