"""Refuse before applying: a command a journal cannot store changes nothing, and the
writer keeps going; commands this version cannot replay give typed errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from ops_helpers import Clock, staffed

import omnirouter as om


@pytest.mark.parametrize("durability", ["command", "group"])
def test_an_unstorable_command_is_refused_and_the_writer_goes_on(
    tmp_path: Path, durability: str
) -> None:
    clock = Clock()
    path = tmp_path / "j.db"
    router = staffed(clock, om.SQLiteJournal(path, durability=durability))  # type: ignore[arg-type]
    router.submit(om.Interaction(id="ok-1", channel="email"))
    before = router.snapshot()
    # model_construct skips validation: the journal's own check is the last line.
    sneaky = om.Interaction.model_construct(
        id="nan-1", channel="email", attributes={"score": math.nan}
    )
    with pytest.raises(om.ValidationError, match="cannot be journaled"):
        router.submit(sneaky)
    # The router refuses these itself now; either way: typed, and before any change.
    with pytest.raises(om.ValidationError, match=r"cannot be journaled|finite"):
        router.complete("ok-1", wrap_up=math.nan)
    with pytest.raises(om.ValidationError, match=r"cannot be journaled|finite"):
        router.tick(now=math.inf)
    assert router.snapshot() == before  # nothing changed, not even the time
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("nan-1")

    clock.advance(5)
    router.submit(om.Interaction(id="ok-2", channel="email"))  # the writer still writes
    router.complete("ok-1")
    writer = router.journal
    assert writer is not None
    assert writer.wait_durable(timeout=10)
    state = router.snapshot()
    writer.close()
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=clock)
    assert recovered.snapshot() == state
    assert recovered.journal is not None
    recovered.journal.close()


def test_a_closed_store_refuses_calls_before_they_run(tmp_path: Path) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "c.db"))
    writer = router.journal
    assert writer is not None
    before = router.snapshot()
    writer.journal.close()  # the store goes away under the writer
    with pytest.raises(om.JournalError, match="is closed; nothing was changed"):
        router.submit(om.Interaction(id="refused", channel="email"))
    assert router.snapshot() == before


def test_after_a_failed_write_later_calls_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    router = staffed(clock, om.SQLiteJournal(tmp_path / "w.db"))
    writer = router.journal
    assert writer is not None

    def disk_full(batch: om.ops.Batch) -> None:
        raise om.JournalError("write failed: database or disk is full")

    monkeypatch.setattr(writer.journal, "write", disk_full)
    with pytest.raises(om.JournalError, match="could not be made durable"):
        router.submit(om.Interaction(id="lost", channel="email"))
    assert writer.durable_seq < writer.last_seq  # not acknowledged
    before = router.snapshot()
    with pytest.raises(om.JournalError, match="nothing was changed"):
        router.submit(om.Interaction(id="next", channel="email"))
    assert router.snapshot() == before
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("next")


def _journal_with(tmp_path: Path, command: om.ops.Command) -> Path:
    """A valid journal whose last command (checksum-valid) is ``command``."""
    clock = Clock()
    path = tmp_path / "host.db"
    router = staffed(clock, om.SQLiteJournal(path, snapshot_every=0))
    writer = router.journal
    assert writer is not None
    last = writer.last_seq
    writer.close()
    store = om.SQLiteJournal(path)
    store.write(om.ops.Batch((om.ops.Command(last + 1, clock(), command.name, command.arguments),)))
    store.close()
    return path


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("set_presence", {"agent_id": "anna", "presence": "away", "mood": "good"}, "does not take"),
        ("submit", {"ticket": {"id": "x"}}, "does not take"),
        ("teleport", {"interaction_id": "x"}, "does not take.*unknown command"),
        ("complete", {"interaction_id": "nobody", "wrap_up": 0.0}, "fails on replay"),
    ],
)
def test_commands_this_version_cannot_replay_are_typed_errors(
    tmp_path: Path, name: str, arguments: dict[str, object], message: str
) -> None:
    path = _journal_with(tmp_path, om.ops.Command(0, 0.0, name, arguments))
    with pytest.raises(om.RecoveryError, match=message) as caught:
        om.Router.recover(om.SQLiteJournal(path), clock=Clock())
    assert f"({name}" in str(caught.value)


def test_a_store_refuses_commands_out_of_sequence(tmp_path: Path) -> None:
    store = om.SQLiteJournal(tmp_path / "s.db")
    with pytest.raises(om.JournalError, match="does not follow"):
        store.write(om.ops.Batch((om.ops.Command(5, 0.0, "tick", {"now": 1.0}),)))
    with pytest.raises(om.JournalError, match="cannot be stored"):
        store.write(om.ops.Batch((om.ops.Command(1, 0.0, "tick", {"now": math.nan}),)))
    assert store.last_seq() == 0
    store.close()


def test_keep_events_is_fixed_when_the_journal_is_created(tmp_path: Path) -> None:
    om.SQLiteJournal(tmp_path / "k.db", keep_events=False).close()
    assert om.SQLiteJournal(tmp_path / "k.db").keep_events is False
    with pytest.raises(om.JournalError, match="keep_events=False"):
        om.SQLiteJournal(tmp_path / "k.db", keep_events=True)


def test_work_accepted_under_roomy_limits_recovers(tmp_path: Path) -> None:
    clock = Clock()
    roomy = om.ChannelRegistry(limits=om.FieldLimits(max_items=500))
    path = tmp_path / "roomy.db"
    router = om.Router(clock=clock, channels=roomy, journal=om.SQLiteJournal(path))
    many = {f"k{n}": n for n in range(300)}  # more than the default limit of 100
    router.submit({"id": "big", "channel": "email", "attributes": many})  # type: ignore[arg-type]
    router.journal.checkpoint()  # type: ignore[union-attr]
    router.submit({"id": "big-2", "channel": "email", "attributes": many})  # type: ignore[arg-type]
    state = router.snapshot()
    router.journal.close()  # type: ignore[union-attr]
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=clock, channels=roomy)
    assert recovered.snapshot() == state
    recovered.journal.close()  # type: ignore[union-attr]
