"""SQLiteJournal and the journal writer: durability modes, snapshots, damage detection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from ops_helpers import Clock, staffed, traffic

import omnirouter as om


def test_router_records_each_command_durably_and_recovers_exactly(tmp_path: Path) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "j.db"), offer_timeout=30.0)
    traffic(router, clock)
    writer = router.journal
    assert writer is not None
    assert writer.durable_seq == writer.last_seq > 10
    expected = router.snapshot()
    writer.close()

    recovered = om.Router.recover(om.SQLiteJournal(tmp_path / "j.db"), clock=clock)
    assert recovered.snapshot() == expected
    assert recovered.journal is not None
    assert recovered.journal.last_seq == writer.last_seq
    recovered.journal.close()


def test_recovery_continues_the_journal_and_recovers_again(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "j.db"
    router = staffed(clock, om.SQLiteJournal(path, snapshot_every=5))
    traffic(router, clock, 6)
    assert router.journal is not None
    router.journal.close()
    again = om.Router.recover(om.SQLiteJournal(path, snapshot_every=5), clock=clock)
    clock.advance(5)
    again.submit(om.Interaction(id="late", channel="email"))
    state = again.snapshot()
    assert again.journal is not None
    again.journal.close()
    third = om.Router.recover(om.SQLiteJournal(path), clock=clock)
    assert third.snapshot() == state
    assert third.state_of("late") is om.InteractionState.ASSIGNED
    assert third.journal is not None
    third.journal.close()


def test_group_mode_acknowledges_through_durable_seq(tmp_path: Path) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "g.db", durability="group"))
    seen: list[int] = []
    writer = router.journal
    assert writer is not None
    writer.on_durable(seen.append)
    traffic(router, clock)
    assert writer.wait_durable(timeout=10)
    assert writer.durable_seq == writer.last_seq
    assert seen
    assert seen[-1] == writer.last_seq
    assert seen == sorted(seen)
    state = router.snapshot()
    writer.close()
    recovered = om.Router.recover(om.SQLiteJournal(tmp_path / "g.db"), clock=clock)
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()


def test_events_are_stored_with_their_commands(tmp_path: Path) -> None:
    clock = Clock()
    recorded: list[om.Event] = []
    router = staffed(clock, om.SQLiteJournal(tmp_path / "e.db"))
    router.subscribe(recorded.append)
    traffic(router, clock)
    assert router.journal is not None
    journal = router.journal.journal
    stored = list(journal.events())
    tail = stored[-len(recorded) :]
    assert [e.to_json() for e in tail] == [e.to_json() for e in recorded]
    assert {e.kind for e in stored} >= {"agent_added", "queued", "assigned", "completed"}
    router.journal.close()


def test_a_failed_call_that_fired_timers_is_journaled_as_a_tick(tmp_path: Path) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "t.db"), offer_timeout=10.0)
    router.submit(om.Interaction(id="x", channel="voice"))
    clock.advance(11)  # the offer times out inside the next (failing) call
    with pytest.raises(om.InvalidStateError):
        router.complete("x")  # now offered to the other agent
    with pytest.raises(om.UnknownInteractionError):
        router.complete("nope")  # nothing due: not journaled
    assert router.journal is not None
    names = [c.name for c in router.journal.journal.commands()]
    assert names[-2:] == ["submit", "tick"]
    state = router.snapshot()
    router.journal.close()
    recovered = om.Router.recover(om.SQLiteJournal(tmp_path / "t.db"), clock=clock)
    assert recovered.snapshot() == state


def test_a_fresh_router_refuses_a_used_journal(tmp_path: Path) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "u.db"))
    assert router.journal is not None
    router.journal.close()
    with pytest.raises(om.JournalError, match=r"om\.Router\.recover"):
        om.Router(clock=clock, journal=om.SQLiteJournal(tmp_path / "u.db"))


def test_recovering_an_empty_journal_says_so(tmp_path: Path) -> None:
    with pytest.raises(om.RecoveryError, match="empty"):
        om.Router.recover(om.SQLiteJournal(tmp_path / "empty.db"))


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(om.ValidationError, match="durability"):
        om.SQLiteJournal(tmp_path / "x.db", durability="sometimes")  # type: ignore[arg-type]
    with pytest.raises(om.ValidationError, match="group_interval"):
        om.SQLiteJournal(tmp_path / "x.db", group_interval=0)
    with pytest.raises(om.ValidationError, match="journal"):
        om.Router(journal="x.db")  # type: ignore[arg-type]


def _journal_with_traffic(path: Path) -> dict[str, object]:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(path, snapshot_every=0))
    traffic(router, clock)
    state = router.snapshot()
    assert router.journal is not None
    router.journal.close()
    return state


def test_a_damaged_command_is_reported_not_replayed(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    _journal_with_traffic(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE commands SET arguments = replace(arguments, 'w3', 'w9') WHERE name = 'submit'"
        )
    with pytest.raises(om.JournalCorruptError, match=r"command \d+ \(submit\) fails its checksum"):
        om.Router.recover(om.SQLiteJournal(path))
    with pytest.raises(om.JournalCorruptError):
        om.SQLiteJournal(path).verify()


def test_a_missing_command_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "gap.db"
    _journal_with_traffic(path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM commands WHERE seq = 5")
    with pytest.raises(om.JournalCorruptError, match="command 5 is missing"):
        om.Router.recover(om.SQLiteJournal(path))


def test_a_truncated_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    _journal_with_traffic(path)  # closed: the WAL is checkpointed into the file
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(om.JournalCorruptError, match=r"cut\.db"):
        _verify_and_recover(path)


def _verify_and_recover(path: Path) -> None:
    journal = om.SQLiteJournal(path)
    journal.verify()
    om.Router.recover(journal)


def test_a_file_that_is_not_a_journal_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(om.JournalCorruptError, match="not a readable omnirouter journal"):
        om.SQLiteJournal(path)


def test_a_replay_that_diverges_names_the_command(tmp_path: Path) -> None:
    path = tmp_path / "hooks.db"
    clock = Clock()
    router = staffed(
        clock, om.SQLiteJournal(path, snapshot_every=0), selection=lambda i, c: c[0] if c else None
    )
    router.submit(om.Interaction(id="a", channel="email"))
    assert router.journal is not None
    router.journal.close()
    with pytest.raises(om.RecoveryError, match="selection"):
        om.Router.recover(om.SQLiteJournal(path))


def test_a_write_failure_is_not_acknowledged(tmp_path: Path) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "w.db"))
    assert router.journal is not None
    router.journal.journal.close()  # the store goes away under the writer
    with pytest.raises(om.JournalError, match="recover"):
        router.submit(om.Interaction(id="next", channel="email"))
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("next")  # refused before it ran


class CallsFirst:
    """A custom blending policy: while any call waits, no new chat for anybody."""

    name = "calls_first"
    offers: frozenset[str] = frozenset()
    denies = frozenset({"chat"})

    def active(self, load: object, was_active: bool) -> bool:
        return bool(load.waiting["voice"] > 0)  # type: ignore[attr-defined]

    def applies_to(self, agent: object) -> bool:
        return True


def test_recovery_takes_custom_blending_policies_again(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    clock = Clock()
    router = om.Router(clock=clock, journal=om.SQLiteJournal(path), blending=[CallsFirst()])
    router.add_agent(om.Agent(id="x", capacity={"chat": 2}))
    router.set_presence("x", "available")
    router.submit(om.Interaction(id="call", channel="voice"))  # nobody takes calls
    router.submit(om.Interaction(id="chat", channel="chat"))
    assert router.state_of("chat") is om.InteractionState.QUEUED
    expected = router.snapshot()
    assert router.journal is not None
    router.journal.close()

    with pytest.raises(om.RecoveryError, match="blending"):
        om.Router.recover(om.SQLiteJournal(path), clock=clock)
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=clock, blending=[CallsFirst()])
    assert recovered.snapshot() == expected
    recovered.abandon("call")  # the policy is in force: the chat goes out only now
    assert recovered.agent_of("chat") == "x"
    assert recovered.journal is not None
    recovered.journal.close()
