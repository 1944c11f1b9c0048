"""The corruption campaign: damage a crashed journal in every way we can think of, and
every case either recovers exactly or raises a typed error naming the damage.

A journal is written and "crashed" (its files copied while the writer still holds them,
so the acknowledged tail lives in the write-ahead log). Each case damages a copy:
truncations and single-bit flips at many offsets of the WAL and of the main file, a
deleted WAL before and after a partial checkpoint, deleted rows, foreign files. Then
``SQLiteJournal(...).verify()`` and ``Router.recover`` run on it. Zero silent losses:
a recovery that succeeds must give exactly the acknowledged state.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ops_helpers import Clock, staffed

import omnirouter as om

Damage = Callable[[Path], None]


class Image:
    """A crashed journal's files (bytes) and the acknowledged state."""

    def __init__(self, files: dict[str, bytes], state: dict[str, Any], acknowledged: int) -> None:
        self.files = files
        self.state = state
        self.acknowledged = acknowledged

    def lay_out(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (folder / name).write_bytes(data)
        return folder / "j.db"


def _work(router: om.Router, clock: Clock, rng: random.Random, count: int, tag: str) -> None:
    for n in range(count):
        clock.advance(rng.uniform(1, 20))
        interaction_id = f"{tag}{n}"
        router.submit(
            om.Interaction(
                id=interaction_id,
                channel=rng.choice(("voice", "chat", "email")),
                customer_id=f"c{n % 7}",
                attributes={"order": n, "tier": rng.choice(("gold", "basic"))},
            )
        )
        if n % 3 == 2:
            done = f"{tag}{n - 2}"
            if router.state_of(done) is om.InteractionState.ASSIGNED:
                router.complete(done, wrap_up=1.0)


def _crash_image(
    folder: Path, *, snapshot_every: int, checkpoint_after: int | None = None
) -> Image:
    rng = random.Random(4711)
    clock = Clock()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "j.db"
    router = staffed(clock, om.SQLiteJournal(path, snapshot_every=snapshot_every))
    _work(router, clock, rng, 60, "a")
    if checkpoint_after is not None:
        # A second connection checkpoints what the WAL holds so far (as SQLite's
        # automatic checkpoint would), then more commands go to the WAL.
        with sqlite3.connect(path) as other:
            other.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _work(router, clock, rng, checkpoint_after, "b")
    writer = router.journal
    assert writer is not None
    assert writer.durable_seq == writer.last_seq
    files = {
        p.name: p.read_bytes()
        for p in (path, folder / "j.db-wal", folder / "j.db-mark")
        if p.exists()
    }
    state = router.snapshot()
    writer.close()
    return Image(files, state, writer.durable_seq)


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Image:
    """The acknowledged tail is in the WAL (no snapshot since the start)."""
    return _crash_image(tmp_path_factory.mktemp("crashed"), snapshot_every=0)


@pytest.fixture(scope="module")
def checkpointed(tmp_path_factory: pytest.TempPathFactory) -> Image:
    """Part of the WAL was checkpointed into the main file, then more was written."""
    return _crash_image(tmp_path_factory.mktemp("partial"), snapshot_every=25, checkpoint_after=40)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Image:
    """A cleanly closed journal: everything is in the main file, no WAL."""
    folder = tmp_path_factory.mktemp("closed")
    image = _crash_image(folder, snapshot_every=30)
    path = image.lay_out(folder / "out")
    om.SQLiteJournal(path).close()  # opening and closing checkpoints the WAL away
    files = {p.name: p.read_bytes() for p in path.parent.iterdir() if not p.name.endswith("shm")}
    assert "j.db-wal" not in files
    return Image(files, image.state, image.acknowledged)


def outcome(path: Path, image: Image) -> str:
    """``exact`` or the name of the typed error; ``LOST`` for a silent loss."""
    verified = True
    try:
        journal = om.SQLiteJournal(path)
    except om.OmnirouterError as error:
        _names_the_damage(error)
        return type(error).__name__
    try:
        journal.verify()
    except om.OmnirouterError as error:
        _names_the_damage(error)
        verified = False
    try:
        router = om.Router.recover(journal, clock=Clock(), checkpoint=False)
    except om.OmnirouterError as error:
        _names_the_damage(error)
        journal.close()
        return type(error).__name__
    assert router.journal is not None
    recovered, last = router.snapshot(), router.journal.last_seq
    router.journal.close()
    if recovered != image.state or last < image.acknowledged:
        return "LOST"
    # Damage that recovery does not need (an old record) may still fail verify().
    return "exact" if verified else "exact, verify() reports damage"


def _names_the_damage(error: om.OmnirouterError) -> None:
    assert isinstance(error, om.JournalError), repr(error)
    assert "j.db" in str(error), str(error)


def _truncate(name: str, size: int) -> Damage:
    def damage(path: Path) -> None:
        with (path.parent / name).open("r+b") as handle:
            handle.truncate(size)

    return damage


def _flip(name: str, offset: int, bit: int) -> Damage:
    def damage(path: Path) -> None:
        target = path.parent / name
        data = bytearray(target.read_bytes())
        data[offset] ^= 1 << bit
        target.write_bytes(bytes(data))

    return damage


def _offsets(size: int, count: int, rng: random.Random) -> list[int]:
    chosen = {0, 1, size // 2, size - 1, *(rng.randrange(size) for _ in range(count))}
    return sorted(chosen)[:count]


def _run(image: Image, damage: Damage, folder: Path) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    path = image.lay_out(folder)
    damage(path)
    return outcome(path, image)


def test_an_undamaged_crash_image_recovers_exactly(crashed: Image, tmp_path: Path) -> None:
    assert "j.db-wal" in crashed.files
    assert crashed.acknowledged > 60
    assert _run(crashed, lambda path: None, tmp_path / "x") == "exact"
    journal = om.SQLiteJournal(tmp_path / "x" / "j.db")
    assert journal.acknowledged_seq() == journal.last_seq() == crashed.acknowledged
    journal.close()


def test_every_truncation_of_the_wal_is_reported(crashed: Image, tmp_path: Path) -> None:
    size = len(crashed.files["j.db-wal"])
    rng = random.Random(1)
    results = Counter(
        _run(crashed, _truncate("j.db-wal", offset), tmp_path / f"t{offset}")
        for offset in _offsets(size, 40, rng)
    )
    # Every frame holds an acknowledged commit: cutting anywhere loses some.
    assert results == Counter({"JournalCorruptError": sum(results.values())}), results


def test_every_bit_flip_in_the_wal_is_reported(crashed: Image, tmp_path: Path) -> None:
    size = len(crashed.files["j.db-wal"])
    rng = random.Random(2)
    results = Counter(
        _run(crashed, _flip("j.db-wal", offset, rng.randrange(8)), tmp_path / f"f{offset}")
        for offset in _offsets(size, 40, rng)
    )
    assert results == Counter({"JournalCorruptError": sum(results.values())}), results


def test_truncating_the_main_file_never_loses_silently(closed: Image, tmp_path: Path) -> None:
    size = len(closed.files["j.db"])
    rng = random.Random(3)
    results = Counter(
        _run(closed, _truncate("j.db", offset), tmp_path / f"t{offset}")
        for offset in _offsets(size, 30, rng)
    )
    assert "LOST" not in results, results
    assert results["JournalCorruptError"] >= 25, results


def test_bit_flips_in_the_main_file_never_lose_silently(closed: Image, tmp_path: Path) -> None:
    size = len(closed.files["j.db"])
    rng = random.Random(4)
    results = Counter(
        _run(closed, _flip("j.db", offset, rng.randrange(8)), tmp_path / f"f{offset}")
        for offset in _offsets(size, 60, rng)
    )
    assert "LOST" not in results, results
    assert results["JournalCorruptError"] >= 10, results


def test_bit_flips_in_the_schema_are_typed(closed: Image, tmp_path: Path) -> None:
    # Page 1 holds the file header and the schema (sqlite_master): a flipped bit there
    # used to surface as a raw UnicodeDecodeError.
    rng = random.Random(5)
    results = Counter(
        _run(closed, _flip("j.db", offset, bit), tmp_path / f"s{offset}-{bit}")
        for offset in sorted(rng.sample(range(100, 4096), 30))
        for bit in (rng.randrange(8),)
    )
    assert "LOST" not in results, results


def test_a_deleted_wal_before_any_checkpoint_is_reported(crashed: Image, tmp_path: Path) -> None:
    def delete(path: Path) -> None:
        (path.parent / "j.db-wal").unlink()

    assert _run(crashed, delete, tmp_path / "x") == "JournalCorruptError"
    with pytest.raises(om.JournalCorruptError, match=r"acknowledged") as caught:
        om.SQLiteJournal(tmp_path / "x" / "j.db")
    assert "start with" not in str(caught.value)  # never an invitation to start over


def test_a_deleted_wal_after_a_partial_checkpoint_names_what_was_lost(
    checkpointed: Image, tmp_path: Path
) -> None:
    def delete(path: Path) -> None:
        (path.parent / "j.db-wal").unlink()

    assert _run(checkpointed, delete, tmp_path / "x") == "JournalCorruptError"
    with pytest.raises(om.JournalCorruptError, match=r"commands \d+ to \d+ were acknowledged"):
        om.SQLiteJournal(tmp_path / "x" / "j.db")
    assert _run(checkpointed, lambda path: None, tmp_path / "y") == "exact"


def _sql(statement: str) -> Damage:
    def damage(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.execute(statement)

    return damage


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM commands WHERE seq = 30",
        "DELETE FROM commands WHERE seq = (SELECT MAX(seq) FROM commands)",
        "DELETE FROM commands WHERE seq > 50",
        "DELETE FROM events WHERE id = 40",
        "DELETE FROM events WHERE id > 60",
        "DELETE FROM snapshots",
        "UPDATE commands SET at = at + 1 WHERE seq = 50",
        "UPDATE events SET command_seq = command_seq + 1 WHERE id = 90",
        "DELETE FROM meta WHERE key = 'id'",
        "DROP TABLE events",
    ],
)
def test_deleted_or_changed_rows_are_reported(
    crashed: Image, tmp_path: Path, statement: str
) -> None:
    assert _run(crashed, _sql(statement), tmp_path / "x") in (
        "JournalCorruptError",
        "RecoveryError",
    )


def test_deleting_the_latest_snapshot_still_recovers_exactly(
    checkpointed: Image, tmp_path: Path
) -> None:
    latest = "DELETE FROM snapshots WHERE seq = (SELECT MAX(seq) FROM snapshots)"
    assert _run(checkpointed, _sql(latest), tmp_path / "x") == "exact"


def test_foreign_files_are_reported(crashed: Image, closed: Image, tmp_path: Path) -> None:
    other = _crash_image(tmp_path / "other", snapshot_every=0)

    def swap_mark(path: Path) -> None:
        (path.parent / "j.db-mark").write_bytes(other.files["j.db-mark"])

    def swap_wal(path: Path) -> None:
        (path.parent / "j.db-wal").write_bytes(other.files["j.db-wal"])

    def junk(path: Path) -> None:
        path.write_bytes(b"not a database " * 500)

    def another_app(path: Path) -> None:
        path.unlink()
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE customers (name TEXT)")

    def no_mark(path: Path) -> None:
        (path.parent / "j.db-mark").unlink()

    def scrambled_mark(path: Path) -> None:
        (path.parent / "j.db-mark").write_bytes(bytes(128))

    for damage in (swap_mark, swap_wal, no_mark, scrambled_mark):
        result = _run(crashed, damage, tmp_path / damage.__name__)
        assert result == "JournalCorruptError", (damage.__name__, result)
    for damage in (junk, another_app, no_mark):
        result = _run(closed, damage, tmp_path / f"closed-{damage.__name__}")
        assert result == "JournalCorruptError", (damage.__name__, result)


def test_a_torn_mark_slot_falls_back_to_the_other(crashed: Image, tmp_path: Path) -> None:
    mark = crashed.files["j.db-mark"]
    for slot in (0, 1):

        def tear(path: Path, slot: int = slot) -> None:
            data = bytearray(mark)
            data[slot * 64 + 30] ^= 0xFF
            (path.parent / "j.db-mark").write_bytes(bytes(data))

        # The other slot is one batch older: the journal is ahead of it, and complete.
        assert _run(crashed, tear, tmp_path / f"s{slot}") == "exact"


def test_a_read_only_journal_is_not_called_corrupt(
    closed: Image, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = closed.lay_out(tmp_path / "ro")
    real_access = os.access

    def access(target: Any, mode: int, **kwargs: Any) -> bool:
        # As the tests may run as root, who may write anything, deny writing here.
        if mode & os.W_OK and Path(target).name.startswith("j.db"):
            return False
        return real_access(target, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(om.JournalError, match="read-only") as caught:
        om.SQLiteJournal(path)
    assert not isinstance(caught.value, om.JournalCorruptError)
