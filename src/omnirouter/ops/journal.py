"""The durable journal: an append-only log of the router's commands, events and snapshots.

:class:`Journal` is the small Protocol a store implements (a host may plug its own);
:class:`SQLiteJournal` is the default store, a single SQLite file in WAL mode. A store
only appends batches atomically and reads them back; *when* a batch is written (after
every command, or grouped every few milliseconds) is decided by the store's
``durability`` setting and carried out by :class:`omnirouter.ops.JournalWriter`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

import attrs

from omnirouter.errors import ErrorDetail, JournalCorruptError, JournalError, ValidationError
from omnirouter.routing.events import Event

__all__ = [
    "Batch",
    "Command",
    "Durability",
    "Journal",
    "SQLiteJournal",
    "Snapshot",
]

#: ``"command"``: each command is durable before the call returns. ``"group"``: commands
#: are written together every ``group_interval`` seconds; the call returns at once and
#: the command is acknowledged when the writer's ``durable_seq`` reaches it.
Durability = Literal["command", "group"]

_FORMAT: Final = "omnirouter-journal/1"
_READ_CHUNK: Final = 2048


@attrs.frozen(slots=True)
class Command:
    """One recorded router call: ``router.execute(name, arguments)`` at time ``at`` repeats it."""

    seq: int
    at: float
    name: str
    arguments: Mapping[str, Any]


@attrs.frozen(slots=True)
class Snapshot:
    """The router's whole state (``Router.snapshot()``) after command ``seq``."""

    seq: int
    data: Mapping[str, Any]


@attrs.frozen(slots=True)
class Batch:
    """What one write appends atomically: commands, their events (each tagged with the
    command that caused it) and, optionally, a snapshot taken after the last command."""

    commands: tuple[Command, ...]
    events: tuple[tuple[int, Event], ...] = ()
    snapshot: Snapshot | None = None


@runtime_checkable
class Journal(Protocol):
    """A durable, append-only store of commands, events and snapshots.

    ``write`` must be atomic (all of a batch or nothing) and durable when it returns.
    Commands carry consecutive sequence numbers from 1; a snapshot with ``seq`` 0 is
    the state the journal started from.
    """

    durability: Durability
    group_interval: float
    snapshot_every: int
    keep_events: bool

    def write(self, batch: Batch) -> None:
        """Append ``batch`` atomically and durably."""
        ...

    def last_seq(self) -> int:
        """The sequence number of the last command stored (0 when none)."""
        ...

    def snapshot(self, seq: int | None = None) -> Snapshot | None:
        """The latest snapshot (or the one taken after command ``seq``), or None."""
        ...

    def commands(self, after: int = 0) -> Iterator[Command]:
        """The commands with a sequence number above ``after``, in order."""
        ...

    def events(self) -> Iterator[Event]:
        """Every stored event, in the order the router emitted them."""
        ...

    def close(self) -> None:
        """Release the store; later writes fail."""
        ...


def _jsonable(value: object) -> Any:
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False, default=_jsonable)


def _crc(*parts: object) -> int:
    return zlib.crc32("\x1f".join(str(part) for part in parts).encode("utf-8"))


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError("SQLiteJournal", [ErrorDetail([field], message)])


class SQLiteJournal:
    """The default :class:`Journal`: one SQLite file (standard library, WAL mode).

    ``durability`` is ``"command"`` (every command durable before the call returns) or
    ``"group"`` (commands written together every ``group_interval`` seconds: many times
    the throughput, and a crash loses at most that window of commands that were not yet
    acknowledged). ``snapshot_every`` commands a snapshot is stored so that recovery
    replays a bounded tail; ``keep_events=False`` stores commands only (reports then
    replay the commands). Every record carries a CRC-32, so a damaged file is reported
    as :class:`~omnirouter.JournalCorruptError` rather than replayed wrongly.

    Args:
        path: The SQLite file; created if it does not exist.
        durability: ``"command"`` (default) or ``"group"``.
        group_interval: Seconds between group commits, in (0, 10] (default 5 ms).
        snapshot_every: Store a snapshot every this many commands (0: never).
        keep_events: Store the events as well as the commands.

    Raises:
        ValidationError: An option is out of range.
        JournalError: The file cannot be opened.
        JournalCorruptError: The file exists but is not a readable journal.

    Example:
        >>> import tempfile, pathlib
        >>> import omnirouter as om
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "router.db"
        >>> router = om.Router(clock=lambda: 0.0, journal=om.SQLiteJournal(path))
        >>> router.submit({"id": "call-1", "channel": "voice"})
        >>> router.journal.close()
        >>> recovered = om.Router.recover(om.SQLiteJournal(path))
        >>> recovered.state_of("call-1").value
        'queued'
        >>> recovered.journal.close()
    """

    def __init__(
        self,
        path: str | Path,
        *,
        durability: Durability = "command",
        group_interval: float = 0.005,
        snapshot_every: int = 10_000,
        keep_events: bool = True,
    ) -> None:
        if durability not in ("command", "group"):
            raise _invalid("durability", f"use 'command' or 'group', not {durability!r}")
        if (
            isinstance(group_interval, bool)
            or not isinstance(group_interval, int | float)
            or not 0 < group_interval <= 10
        ):
            raise _invalid("group_interval", f"seconds in (0, 10], not {group_interval!r}")
        if isinstance(snapshot_every, bool) or not isinstance(snapshot_every, int):
            raise _invalid("snapshot_every", f"an int >= 0, not {snapshot_every!r}")
        if snapshot_every < 0:
            raise _invalid("snapshot_every", f"an int >= 0, not {snapshot_every!r}")
        self.path = Path(path)
        self.durability: Durability = durability
        self.group_interval = float(group_interval)
        self.snapshot_every = snapshot_every
        self.keep_events = keep_events
        self._lock = threading.Lock()
        self._closed = False
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
        except sqlite3.Error as error:
            raise JournalError(f"{self.path}: cannot open the journal: {error}") from error
        try:
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise JournalCorruptError(
                f"{self.path}: not a readable omnirouter journal ({error})"
            ) from error

    def _prepare(self) -> None:
        db = self._db
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise JournalError(f"{self.path}: SQLite refused WAL mode (got {mode!r})")
        # FULL: a commit is on disk (fsync of the WAL) before write() returns, so an
        # acknowledged command survives a power cut, not only a killed process.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS commands (seq INTEGER PRIMARY KEY, at REAL NOT NULL,"
                " name TEXT NOT NULL, arguments TEXT NOT NULL, crc INTEGER NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, command_seq INTEGER"
                " NOT NULL, data TEXT NOT NULL, crc INTEGER NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY,"
                " data TEXT NOT NULL, crc INTEGER NOT NULL)"
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('format', ?)", (_FORMAT,))
            elif row[0] != _FORMAT:
                raise JournalCorruptError(
                    f"{self.path}: journal format {row[0]!r}, this version reads {_FORMAT!r}"
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def __repr__(self) -> str:
        return f"SQLiteJournal({str(self.path)!r}, durability={self.durability!r})"

    def _corrupt(self, what: str, error: Exception | None = None) -> JournalCorruptError:
        reason = f" ({error})" if error is not None else ""
        return JournalCorruptError(f"{self.path}: {what}{reason}")

    def _check_open(self) -> None:
        if self._closed:
            raise JournalError(f"{self.path}: the journal is closed")

    # ------------------------------------------------------------------ writing

    def write(self, batch: Batch) -> None:
        """Append ``batch`` in one transaction; durable (fsync) when this returns."""
        command_rows = []
        for command in batch.commands:
            arguments = _dumps(command.arguments)
            command_rows.append(
                (
                    command.seq,
                    command.at,
                    command.name,
                    arguments,
                    _crc(command.seq, repr(command.at), command.name, arguments),
                )
            )
        event_rows = []
        if self.keep_events:
            for command_seq, event in batch.events:
                data = _dumps(event.to_json())
                event_rows.append((command_seq, data, _crc(command_seq, data)))
        snapshot_row = None
        if batch.snapshot is not None:
            data = _dumps(batch.snapshot.data)
            snapshot_row = (batch.snapshot.seq, data, _crc(batch.snapshot.seq, data))
        with self._lock:
            self._check_open()
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("INSERT INTO commands VALUES (?, ?, ?, ?, ?)", command_rows)
                    if event_rows:
                        db.executemany(
                            "INSERT INTO events (command_seq, data, crc) VALUES (?, ?, ?)",
                            event_rows,
                        )
                    if snapshot_row is not None:
                        db.execute(
                            "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)", snapshot_row
                        )
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError as error:
                raise JournalError(
                    f"{self.path}: command numbers clash with stored ones ({error}); "
                    "is a second router writing to this journal?"
                ) from error
            except sqlite3.Error as error:
                raise JournalError(f"{self.path}: write failed: {error}") from error

    # ------------------------------------------------------------------ reading

    def last_seq(self) -> int:
        """The sequence number of the last command stored (0 when none)."""
        with self._lock:
            self._check_open()
            try:
                row = self._db.execute("SELECT MAX(seq) FROM commands").fetchone()
            except sqlite3.DatabaseError as error:
                raise self._corrupt("cannot read the commands", error) from error
        return int(row[0] or 0)

    def snapshot(self, seq: int | None = None) -> Snapshot | None:
        """The latest snapshot (or the one stored after command ``seq``), or None."""
        with self._lock:
            self._check_open()
            try:
                if seq is None:
                    row = self._db.execute(
                        "SELECT seq, data, crc FROM snapshots ORDER BY seq DESC LIMIT 1"
                    ).fetchone()
                else:
                    row = self._db.execute(
                        "SELECT seq, data, crc FROM snapshots WHERE seq = ?", (seq,)
                    ).fetchone()
            except sqlite3.DatabaseError as error:
                raise self._corrupt("cannot read the snapshots", error) from error
        if row is None:
            return None
        number, data, crc = row
        if _crc(number, data) != crc:
            raise self._corrupt(f"the snapshot after command {number} fails its checksum")
        try:
            return Snapshot(int(number), json.loads(data))
        except ValueError as error:
            raise self._corrupt(
                f"the snapshot after command {number} is not JSON", error
            ) from error

    def commands(self, after: int = 0) -> Iterator[Command]:
        """The commands after ``after``, in order; a gap or a bad checksum raises
        :class:`~omnirouter.JournalCorruptError` naming the record."""
        expected = after + 1
        while True:
            with self._lock:
                self._check_open()
                try:
                    rows = self._db.execute(
                        "SELECT seq, at, name, arguments, crc FROM commands WHERE seq >= ?"
                        " ORDER BY seq LIMIT ?",
                        (expected, _READ_CHUNK),
                    ).fetchall()
                except sqlite3.DatabaseError as error:
                    raise self._corrupt(f"cannot read commands from {expected}", error) from error
            for seq, at, name, arguments, crc in rows:
                if seq != expected:
                    raise self._corrupt(f"command {expected} is missing (next stored is {seq})")
                if _crc(seq, repr(at), name, arguments) != crc:
                    raise self._corrupt(f"command {seq} ({name}) fails its checksum")
                try:
                    decoded = json.loads(arguments)
                except ValueError as error:
                    raise self._corrupt(f"command {seq} ({name}) is not JSON", error) from error
                yield Command(seq, at, name, decoded)
                expected += 1
            if len(rows) < _READ_CHUNK:
                return

    def events(self) -> Iterator[Event]:
        """Every stored event, in order (checksums verified)."""
        last_id = 0
        while True:
            with self._lock:
                self._check_open()
                try:
                    rows = self._db.execute(
                        "SELECT id, command_seq, data, crc FROM events WHERE id > ?"
                        " ORDER BY id LIMIT ?",
                        (last_id, _READ_CHUNK),
                    ).fetchall()
                except sqlite3.DatabaseError as error:
                    raise self._corrupt("cannot read the events", error) from error
            for row_id, command_seq, data, crc in rows:
                if _crc(command_seq, data) != crc:
                    raise self._corrupt(f"event {row_id} fails its checksum")
                item = json.loads(data)
                yield Event(
                    item["kind"],
                    item["at"],
                    item["interaction_id"],
                    item["agent_id"],
                    item["queue"],
                    item["channel"],
                    item["detail"],
                )
                last_id = row_id
            if len(rows) < _READ_CHUNK:
                return

    def has_events(self) -> bool:
        """True when the journal holds at least one event."""
        with self._lock:
            self._check_open()
            return self._db.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None

    def verify(self) -> None:
        """Check the whole file: SQLite's own integrity check, then every record's checksum
        and the command sequence. Raises :class:`~omnirouter.JournalCorruptError`."""
        with self._lock:
            self._check_open()
            try:
                result = self._db.execute("PRAGMA integrity_check").fetchall()
            except sqlite3.DatabaseError as error:
                raise self._corrupt("integrity check failed", error) from error
        problems = [str(row[0]) for row in result if row[0] != "ok"]
        if problems:
            raise self._corrupt("integrity check failed: " + "; ".join(problems[:5]))
        for _ in self.commands(after=0):
            pass
        for _ in self.events():
            pass
        snapshot = self.snapshot()
        if snapshot is not None and snapshot.seq > self.last_seq():
            raise self._corrupt(
                f"a snapshot after command {snapshot.seq} but only {self.last_seq()} commands"
            )

    def close(self) -> None:
        """Close the file; later writes and reads raise :class:`~omnirouter.JournalError`."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()
