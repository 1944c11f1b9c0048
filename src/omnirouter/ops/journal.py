"""The durable journal: an append-only log of the router's commands, events and snapshots.

:class:`Journal` is the small Protocol a store implements (a host may plug its own);
:class:`SQLiteJournal` is the default store, a single SQLite file in WAL mode. A store
only appends batches atomically and reads them back; *when* a batch is written (after
every command, or grouped every few milliseconds) is decided by the store's
``durability`` setting and carried out by :class:`omnirouter.ops.JournalWriter`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

import attrs

from omnirouter.errors import ErrorDetail, JournalCorruptError, JournalError, ValidationError
from omnirouter.ops._mark import Mark, MarkFile
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

_FORMAT: Final = "omnirouter-journal/2"
_READ_CHUNK: Final = 2048


@attrs.frozen(slots=True)
class Command:
    """One recorded router call: ``router.execute(name, arguments)`` at time ``at`` repeats it."""

    seq: int
    at: float
    name: str
    arguments: Mapping[str, Any]
    #: The arguments already encoded as compact JSON (the writer encodes them before
    #: the call runs, to refuse what cannot be stored); None: the store encodes them.
    encoded: str | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(slots=True)
class Snapshot:
    """The router's whole state (``Router.snapshot()``) after command ``seq``, and the
    configuration in force then (queues, policies, fingerprints of Python hooks; see
    :func:`omnirouter.ops.configuration_of`), which recovery compares with its own."""

    seq: int
    data: Mapping[str, Any]
    config: Mapping[str, Any] | None = None


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

    Two methods are optional: ``command_events(after)`` (each stored event with its
    command's number; recovery then compares replayed events with the recorded ones)
    and ``erase(customer_id, snapshot)`` (``Router.forget`` refuses without it);
    :class:`SQLiteJournal` has both.
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


def encode(value: object) -> str:
    """``value`` as compact JSON, the way a journal stores it; ``ValueError`` for a
    non-finite number (JSON has none)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False, default=_jsonable)


def _crc(*parts: object) -> int:
    return zlib.crc32("\x1f".join(str(part) for part in parts).encode("utf-8"))


def _chain(previous: int, *parts: object) -> int:
    """A checksum over ``parts`` that also covers every record before (``previous``)."""
    return zlib.crc32("\x1f".join(str(part) for part in parts).encode("utf-8"), previous)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError("SQLiteJournal", [ErrorDetail([field], message)])


#: What a damaged file raises while SQLite reads it (a flipped bit in a page or in the
#: schema, a file that is not a database).
_READ_ERRORS: Final = (
    sqlite3.DatabaseError,
    UnicodeDecodeError,
    OverflowError,
    ValueError,
    TypeError,
)

_TABLES: Final = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE commands (seq INTEGER PRIMARY KEY, at REAL NOT NULL, name TEXT NOT NULL,"
    " arguments TEXT NOT NULL, crc INTEGER NOT NULL)",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, command_seq INTEGER NOT NULL,"
    " data TEXT NOT NULL, crc INTEGER NOT NULL)",
    "CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, data TEXT NOT NULL, config TEXT,"
    " crc INTEGER NOT NULL)",
)


@attrs.define(slots=True)
class _Tail:
    """The last stored command and event with their chained checksums."""

    seq: int = 0
    command_crc: int = 0
    event_id: int = 0
    event_crc: int = 0
    generation: int = 0


def _event_from(data: str) -> Event:
    item = json.loads(data)
    return Event(
        item["kind"],
        item["at"],
        item["interaction_id"],
        item["agent_id"],
        item["queue"],
        item["channel"],
        item["detail"],
    )


class SQLiteJournal:
    """The default :class:`Journal`: one SQLite file (standard library, WAL mode).

    ``durability`` is ``"command"`` (every command durable before the call returns) or
    ``"group"`` (commands written together every ``group_interval`` seconds: many times
    the throughput, and a crash loses at most that window of commands that were not yet
    acknowledged). ``snapshot_every`` commands a snapshot is stored so that recovery
    replays a bounded tail; ``keep_events=False`` stores commands only (reports then
    replay the commands, and recovery cannot compare replayed events with recorded ones);
    it is fixed when the journal is created, and left out (None) when opening one.

    Damage is reported as :class:`~omnirouter.JournalCorruptError`, never replayed: every
    command and event carries a checksum chained to the one before, and after every
    durable batch the number and checksum of the last command and event are written to
    a mark file beside the database (``<path>-mark``, fsynced). Opening a journal compares
    the two, so a lost or damaged write-ahead log (``<path>-wal``) that takes
    acknowledged commands with it is named, with the commands lost.

    Args:
        path: The SQLite file; created if it does not exist.
        durability: ``"command"`` (default) or ``"group"``.
        group_interval: Seconds between group commits, in (0, 10] (default 5 ms).
        snapshot_every: Store a snapshot every this many commands (0: never).
        keep_events: Store the events as well as the commands; fixed when the journal
            is created (default True), left out (None) when opening one.

    Raises:
        ValidationError: An option is out of range.
        JournalError: The file cannot be opened, or is read-only.
        JournalCorruptError: The file exists but is not a readable journal, or it lost
            acknowledged commands (its mark names more than it holds).

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
        keep_events: bool | None = None,
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
        if keep_events is not None and not isinstance(keep_events, bool):
            raise _invalid("keep_events", f"True, False or None, not {keep_events!r}")
        #: Whether events are stored; fixed when the journal is created.
        self.keep_events: bool = True if keep_events is None else keep_events
        self._asked_keep_events = keep_events
        self._lock = threading.Lock()
        self._closed = False
        self._tail = _Tail()
        self._journal_id = b""
        self._marks = MarkFile(Path(f"{self.path}-mark"))
        self._check_writable()
        #: The older mark slot: an erasure interrupted by a crash is judged by it.
        self._older_mark: Mark | None = None
        try:
            marks = self._marks.read_all()
            mark = marks[0] if marks else None
            self._older_mark = marks[1] if len(marks) > 1 else None
        except ValueError as error:
            raise self._corrupt(
                f"its mark file {self._marks.path.name} is damaged", error
            ) from None
        except OSError as error:
            raise JournalError(f"{self.path}: cannot read the mark file: {error}") from error
        # Inspect an existing file through a read-only connection first: a damaged
        # journal is reported before anything (such as SQLite checkpointing what is left
        # of a damaged write-ahead log into the database) changes a file.
        existing = self.path.exists() and self.path.stat().st_size > 0
        if existing:
            self._inspect(mark)
        elif mark is not None:
            raise self._corrupt(
                f"the database is missing or empty, but its mark says {mark.seq} command(s) "
                "were acknowledged: restore it from a backup"
            )
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
        except sqlite3.Error as error:
            raise JournalError(f"{self.path}: cannot open the journal: {error}") from error
        try:
            self._open(mark)
        except sqlite3.OperationalError as error:
            self._db.close()
            if "readonly" in str(error) or "read-only" in str(error):
                raise self._read_only() from error
            raise self._corrupt("not a readable omnirouter journal", error) from error
        except _READ_ERRORS as error:
            self._db.close()
            raise self._corrupt("not a readable omnirouter journal", error) from error
        except BaseException:
            self._db.close()
            raise

    # ------------------------------------------------------------------ opening

    def _read_only(self) -> JournalError:
        return JournalError(
            f"{self.path}: the journal is read-only (no permission to write the file, its "
            "directory or its -wal/-shm/-mark files); a journal is written while it is used"
        )

    def _check_writable(self) -> None:
        directory = self.path.parent if str(self.path.parent) else Path(".")
        for candidate in (self.path, Path(f"{self.path}-wal"), self._marks.path):
            if candidate.exists() and not os.access(candidate, os.W_OK):
                raise self._read_only()
        if not directory.is_dir():
            raise JournalError(f"{self.path}: the folder {directory} does not exist")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise self._read_only()

    def _inspect(self, mark: Mark | None) -> None:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            reader = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise self._corrupt("not a readable omnirouter journal", error) from error
        try:
            self._check(reader, mark)
        except _READ_ERRORS as error:
            raise self._corrupt("not a readable omnirouter journal", error) from error
        finally:
            reader.close()

    def _check(self, db: sqlite3.Connection, mark: Mark | None) -> bool:
        """Check the database against the mark; False when it holds no tables yet."""
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            if mark is not None:
                raise self._corrupt(
                    f"the database holds no journal, but its mark says {mark.seq} command(s) "
                    "were acknowledged: the file (or its write-ahead log) was deleted, "
                    "replaced or emptied; restore it from a backup"
                )
            return False
        if "meta" not in tables or not {"commands", "events", "snapshots"} <= tables:
            raise self._corrupt(
                "not an omnirouter journal (a database with other tables: "
                + ", ".join(sorted(tables)[:5])
                + ")"
            )
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != _FORMAT:
            raise self._corrupt(
                f"journal format {meta.get('format')!r}, this version reads {_FORMAT!r}"
            )
        try:
            self._journal_id = bytes.fromhex(str(meta.get("id", "")))
        except ValueError as error:
            raise self._corrupt("its journal id is damaged", error) from error
        if len(self._journal_id) != 16:
            raise self._corrupt("its journal id is damaged")
        stored = meta.get("keep_events")
        if stored not in ("0", "1"):
            raise self._corrupt("its keep_events setting is damaged")
        self.keep_events = stored == "1"
        if self._asked_keep_events is not None and self._asked_keep_events != self.keep_events:
            raise JournalError(
                f"{self.path}: the journal was created with keep_events={self.keep_events}; "
                "open it with that setting (or leave keep_events out)"
            )
        self._load_tail(db)
        if mark is None:
            if self._tail.seq or self._tail.event_id:
                raise self._corrupt(
                    f"its mark file {self._marks.path.name} is missing, so it cannot tell "
                    f"whether acknowledged commands were lost (the journal ends at command "
                    f"{self._tail.seq}); restore the mark file from the same backup"
                )
        else:
            self._check_mark(db, mark)
        return True

    def _open(self, mark: Mark | None) -> None:
        db = self._db
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise JournalError(f"{self.path}: SQLite refused WAL mode (got {mode!r})")
        # FULL: a commit is on disk (fsync of the WAL) before write() returns, so an
        # acknowledged command survives a power cut, not only a killed process.
        db.execute("PRAGMA synchronous=FULL")
        # Erased records are overwritten with zeros, not left in free pages.
        db.execute("PRAGMA secure_delete=ON")
        if not self._check(db, mark):
            self._create()
        elif mark is None:
            self._write_mark()

    def _create(self) -> None:
        db = self._db
        self._journal_id = uuid.uuid4().bytes
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _TABLES:
                db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('format', ?)", (_FORMAT,))
            db.execute("INSERT INTO meta VALUES ('id', ?)", (self._journal_id.hex(),))
            db.execute(
                "INSERT INTO meta VALUES ('keep_events', ?)", ("1" if self.keep_events else "0",)
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        self._write_mark()
        _sync_directory(self.path)

    def _load_tail(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT seq, crc FROM commands ORDER BY seq DESC LIMIT 1").fetchone()
        tail = self._tail
        tail.seq, tail.command_crc = (int(row[0]), int(row[1])) if row else (0, 0)
        row = db.execute("SELECT id, crc FROM events ORDER BY id DESC LIMIT 1").fetchone()
        tail.event_id, tail.event_crc = (int(row[0]), int(row[1])) if row else (0, 0)

    def _check_mark(self, db: sqlite3.Connection, mark: Mark) -> None:
        try:
            self._check_one_mark(db, mark)
        except JournalCorruptError:
            # An erasure rewrites checksums in place: the mark is written first, then
            # the database. A crash between them leaves the database matching the older
            # slot, at the same positions.
            older = self._older_mark
            if older is None or (older.seq, older.event_id) != (mark.seq, mark.event_id):
                raise
            self._check_one_mark(db, older)
            self._tail.generation = mark.generation

    def _check_one_mark(self, db: sqlite3.Connection, mark: Mark) -> None:
        if mark.journal_id != self._journal_id:
            raise self._corrupt(
                f"its mark file {self._marks.path.name} belongs to another journal "
                "(the database or the mark was replaced)"
            )
        self._tail.generation = mark.generation
        tail = self._tail
        wal = f"{self.path.name}-wal"
        if tail.seq < mark.seq:
            raise self._corrupt(
                f"commands {tail.seq + 1} to {mark.seq} were acknowledged but are missing "
                f"(the journal ends at command {tail.seq}): its write-ahead log {wal} was "
                "deleted, truncated or damaged; restore both files from a backup"
            )
        if mark.seq:
            row = db.execute("SELECT crc FROM commands WHERE seq = ?", (mark.seq,)).fetchone()
            if row is None or int(row[0]) != mark.command_crc:
                raise self._corrupt(
                    f"command {mark.seq}, the last acknowledged one, is not the command that "
                    "was acknowledged (its chained checksum differs from the mark): records "
                    "before it were changed, lost or replaced"
                )
        if tail.event_id < mark.event_id:
            raise self._corrupt(
                f"events {tail.event_id + 1} to {mark.event_id} were acknowledged but are "
                f"missing: its write-ahead log {wal} was deleted, truncated or damaged"
            )
        if mark.event_id:
            row = db.execute("SELECT crc FROM events WHERE id = ?", (mark.event_id,)).fetchone()
            if row is None or int(row[0]) != mark.event_crc:
                raise self._corrupt(
                    f"event {mark.event_id}, the last acknowledged one, differs from the mark: "
                    "events before it were changed, lost or replaced"
                )

    def _write_mark(self) -> None:
        tail = self._tail
        tail.generation += 1
        self._marks.write(
            Mark(
                self._journal_id,
                tail.generation,
                tail.seq,
                tail.command_crc,
                tail.event_id,
                tail.event_crc,
            )
        )

    def _damaged_mark(self, error: BaseException) -> JournalCorruptError:
        return self._corrupt(f"its mark file {self._marks.path.name} is damaged", error)

    def __repr__(self) -> str:
        return f"SQLiteJournal({str(self.path)!r}, durability={self.durability!r})"

    def _corrupt(self, what: str, error: BaseException | None = None) -> JournalCorruptError:
        reason = f" ({type(error).__name__}: {error})" if error is not None else ""
        return JournalCorruptError(f"{self.path}: {what}{reason}")

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran: writes and reads raise."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise JournalError(f"{self.path}: the journal is closed")

    def _fetch(self, what: str, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            self._check_open()
            try:
                return self._db.execute(sql, parameters).fetchall()
            except _READ_ERRORS as error:
                raise self._corrupt(f"cannot read {what}", error) from error

    # ------------------------------------------------------------------ writing

    def _rows(
        self, batch: Batch
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], tuple[Any, ...] | None]:
        commands = []
        for command in batch.commands:
            try:
                arguments = command.encoded or encode(command.arguments)
            except (ValueError, TypeError) as error:
                raise JournalError(
                    f"{self.path}: command {command.seq} ({command.name}) cannot be stored: {error}"
                ) from error
            commands.append((command.seq, command.at, command.name, arguments))
        events = []
        if self.keep_events:
            for command_seq, event in batch.events:
                events.append((command_seq, encode(event.to_json())))
        snapshot = None
        if batch.snapshot is not None:
            config = batch.snapshot.config
            snapshot = (
                batch.snapshot.seq,
                encode(batch.snapshot.data),
                None if config is None else encode(config),
            )
        return commands, events, snapshot

    def write(self, batch: Batch) -> None:
        """Append ``batch`` in one transaction; durable (fsync of the WAL, then of the
        mark) when this returns."""
        command_rows, event_rows, snapshot_row = self._rows(batch)
        with self._lock:
            self._check_open()
            tail = self._tail
            command_crc, event_crc, event_id = tail.command_crc, tail.event_crc, tail.event_id
            stored_commands = []
            expected = tail.seq + 1
            for seq, at, name, arguments in command_rows:
                if seq != expected:
                    raise JournalError(
                        f"{self.path}: command {seq} does not follow command {expected - 1}; "
                        "is a second router writing to this journal?"
                    )
                expected += 1
                command_crc = _chain(command_crc, seq, repr(at), name, arguments)
                stored_commands.append((seq, at, name, arguments, command_crc))
            stored_events = []
            for command_seq, data in event_rows:
                event_id += 1
                event_crc = _chain(event_crc, command_seq, data)
                stored_events.append((event_id, command_seq, data, event_crc))
            stored_snapshot = None
            if snapshot_row is not None:
                seq, data, config = snapshot_row
                stored_snapshot = (seq, data, config, _crc(seq, data, config))
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("INSERT INTO commands VALUES (?, ?, ?, ?, ?)", stored_commands)
                    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", stored_events)
                    if stored_snapshot is not None:
                        db.execute(
                            "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?)",
                            stored_snapshot,
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
            if stored_commands:
                tail.seq, tail.command_crc = stored_commands[-1][0], command_crc
            tail.event_id, tail.event_crc = event_id, event_crc
            try:
                self._write_mark()
            except OSError as error:
                raise JournalError(f"{self.path}: cannot write the mark file: {error}") from error

    # ------------------------------------------------------------------ erasure

    def erase(self, customer_id: str, snapshot: Snapshot) -> list[str]:
        """Erase a customer's personal data from the file (``Router.forget`` calls this
        through the journal writer). Returns the ids of the customer's interactions found.

        Commands, events and older snapshots that carry it are rewritten without it
        (see :mod:`omnirouter.ops._erasure`) with fresh checksums, and ``snapshot`` (the
        router's state after the erasure, already without it) is stored, so recovery
        starts there. ``secure_delete`` (always on) overwrites the old records with
        zeros, and the write-ahead log is checkpointed and truncated, so neither the
        database nor its ``-wal``/``-shm`` files keep a copy. The redacted records stay
        for reports.
        """

        from omnirouter.ops._erasure import redact_command, redact_event, redact_snapshot

        with self._lock:
            self._check_open()
            db = self._db
            ids: set[str] = set()
            try:
                commands = db.execute(
                    "SELECT seq, at, name, arguments FROM commands ORDER BY seq"
                ).fetchall()
                events = db.execute(
                    "SELECT id, command_seq, data FROM events ORDER BY id"
                ).fetchall()
                snapshots = db.execute(
                    "SELECT seq, data, config FROM snapshots WHERE seq < ? ORDER BY seq",
                    (snapshot.seq,),
                ).fetchall()
            except _READ_ERRORS as error:
                raise self._corrupt("cannot read the journal to erase from it", error) from error
            command_rows: list[tuple[Any, ...]] = []
            crc, changed = 0, False
            needle = json.dumps(customer_id)  # as encode() writes it inside the JSON
            for seq, at, name, arguments in commands:
                # Parse only what may hold the customer: their id, or a part of their work.
                redacted = None
                if name in ("submit", "split", "consult") and (
                    needle in arguments or (ids and ("parent_id" in arguments or name != "submit"))
                ):
                    redacted = redact_command(name, json.loads(arguments), customer_id, ids)
                if redacted is not None:
                    arguments, changed = encode(redacted), True
                crc = _chain(crc, seq, repr(at), name, arguments)
                if changed:
                    command_rows.append((arguments, crc, seq))
            snapshot_rows: list[tuple[Any, ...]] = []
            for seq, data, config in snapshots:
                redacted_snapshot = redact_snapshot(json.loads(data), customer_id, ids)
                if redacted_snapshot is not None:
                    data = encode(redacted_snapshot)
                    snapshot_rows.append((data, _crc(seq, data, config), seq))
            event_rows: list[tuple[Any, ...]] = []
            crc, changed = 0, False
            for row_id, command_seq, data in events:
                redacted_event = None
                if '"handover"' in data:
                    redacted_event = redact_event(json.loads(data), ids)
                if redacted_event is not None:
                    data, changed = encode(redacted_event), True
                crc = _chain(crc, command_seq, data)
                if changed:
                    event_rows.append((data, crc, row_id))
            tail = self._tail
            new_command_crc = command_rows[-1][1] if command_rows else tail.command_crc
            new_event_crc = event_rows[-1][1] if event_rows else tail.event_crc
            config = snapshot.config
            snapshot_row = (
                snapshot.seq,
                encode(snapshot.data),
                None if config is None else encode(config),
            )
            # The mark first, twice: the older slot records the file as it is, the newer
            # one as it will be, at the same positions; a crash before the database
            # commits leaves the older slot matching it (see _check_mark).
            try:
                self._write_mark()
                tail.command_crc, tail.event_crc = new_command_crc, new_event_crc
                self._write_mark()
            except OSError as error:
                raise JournalError(f"{self.path}: cannot write the mark file: {error}") from error
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany(
                        "UPDATE commands SET arguments = ?, crc = ? WHERE seq = ?", command_rows
                    )
                    db.executemany("UPDATE events SET data = ?, crc = ? WHERE id = ?", event_rows)
                    db.executemany(
                        "UPDATE snapshots SET data = ?, crc = ? WHERE seq = ?", snapshot_rows
                    )
                    db.execute(
                        "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?)",
                        (*snapshot_row, _crc(*snapshot_row)),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
                busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.Error as error:
                raise JournalError(f"{self.path}: erasure failed: {error}") from error
            if busy:
                raise JournalError(
                    f"{self.path}: erased, but another connection keeps the write-ahead log "
                    "open, so its old pages could not be truncated; close it and erase again"
                )
        return sorted(ids)

    # ------------------------------------------------------------------ reading

    def last_seq(self) -> int:
        """The sequence number of the last command stored (0 when none)."""
        row = self._fetch("the commands", "SELECT MAX(seq) FROM commands")
        return int(row[0][0] or 0)

    def acknowledged_seq(self) -> int:
        """The last command the mark file records as durable (0 when none)."""
        try:
            mark = self._marks.read()
        except ValueError as error:
            raise self._corrupt(
                f"its mark file {self._marks.path.name} is damaged", error
            ) from None
        return 0 if mark is None else mark.seq

    def snapshot(self, seq: int | None = None) -> Snapshot | None:
        """The latest snapshot (or the one stored after command ``seq``), or None."""
        if seq is None:
            rows = self._fetch(
                "the snapshots",
                "SELECT seq, data, config, crc FROM snapshots ORDER BY seq DESC LIMIT 1",
            )
        else:
            rows = self._fetch(
                "the snapshots",
                "SELECT seq, data, config, crc FROM snapshots WHERE seq = ?",
                (seq,),
            )
        if not rows:
            return None
        number, data, config, crc = rows[0]
        if _crc(number, data, config) != crc:
            raise self._corrupt(f"the snapshot after command {number} fails its checksum")
        try:
            return Snapshot(
                int(number), json.loads(data), None if config is None else json.loads(config)
            )
        except ValueError as error:
            raise self._corrupt(
                f"the snapshot after command {number} is not JSON", error
            ) from error

    def snapshot_seqs(self) -> list[int]:
        """The commands after which a snapshot is stored, in order."""
        return [int(r[0]) for r in self._fetch("the snapshots", "SELECT seq FROM snapshots")]

    def _command_crc(self, seq: int) -> int:
        if seq == 0:
            return 0
        rows = self._fetch(f"command {seq}", "SELECT crc FROM commands WHERE seq = ?", (seq,))
        if not rows:
            raise self._corrupt(f"command {seq} is missing")
        return int(rows[0][0])

    def commands(self, after: int = 0) -> Iterator[Command]:
        """The commands after ``after``, in order; a gap or a bad checksum raises
        :class:`~omnirouter.JournalCorruptError` naming the record."""
        expected = after + 1
        previous = self._command_crc(after)
        while True:
            rows = self._fetch(
                f"commands from {expected}",
                "SELECT seq, at, name, arguments, crc FROM commands WHERE seq >= ?"
                " ORDER BY seq LIMIT ?",
                (expected, _READ_CHUNK),
            )
            for seq, at, name, arguments, crc in rows:
                if seq != expected:
                    raise self._corrupt(f"command {expected} is missing (next stored is {seq})")
                previous = _chain(previous, seq, repr(at), name, arguments)
                if previous != crc:
                    raise self._corrupt(f"command {seq} ({name}) fails its checksum")
                try:
                    decoded = json.loads(arguments)
                except ValueError as error:
                    raise self._corrupt(f"command {seq} ({name}) is not JSON", error) from error
                if not isinstance(decoded, dict):
                    raise self._corrupt(f"command {seq} ({name}) holds no arguments")
                yield Command(seq, at, name, decoded)
                expected += 1
            if len(rows) < _READ_CHUNK:
                return

    def command_events(self, after: int = 0) -> Iterator[tuple[int, Event]]:
        """The stored events of the commands after ``after``, each with its command's
        number, in order (checksums verified)."""
        first = self._fetch(
            "the events", "SELECT MIN(id) FROM events WHERE command_seq > ?", (after,)
        )[0][0]
        if first is None:
            return
        yield from self._events_from(int(first))

    def events(self) -> Iterator[Event]:
        """Every stored event, in order (checksums verified)."""
        for _command_seq, event in self._events_from(1):
            yield event

    def _events_from(self, first: int) -> Iterator[tuple[int, Event]]:
        previous = 0
        if first > 1:
            rows = self._fetch(
                f"event {first - 1}", "SELECT crc FROM events WHERE id = ?", (first - 1,)
            )
            if not rows:
                raise self._corrupt(f"event {first - 1} is missing")
            previous = int(rows[0][0])
        expected = first
        while True:
            rows = self._fetch(
                "the events",
                "SELECT id, command_seq, data, crc FROM events WHERE id >= ? ORDER BY id LIMIT ?",
                (expected, _READ_CHUNK),
            )
            for row_id, command_seq, data, crc in rows:
                if row_id != expected:
                    raise self._corrupt(f"event {expected} is missing (next stored is {row_id})")
                previous = _chain(previous, command_seq, data)
                if previous != crc:
                    raise self._corrupt(f"event {row_id} fails its checksum")
                try:
                    event = _event_from(data)
                except (ValueError, KeyError, TypeError) as error:
                    raise self._corrupt(f"event {row_id} is not an event", error) from error
                yield int(command_seq), event
                expected += 1
            if len(rows) < _READ_CHUNK:
                return

    def has_events(self) -> bool:
        """True when the journal holds at least one event."""
        return bool(self._fetch("the events", "SELECT 1 FROM events LIMIT 1"))

    def verify(self) -> None:
        """Check the whole file: SQLite's own integrity check, every record's chained
        checksum and the command sequence, every snapshot, and the mark file (nothing
        acknowledged is missing). Raises :class:`~omnirouter.JournalCorruptError`."""
        result = self._fetch("the file", "PRAGMA integrity_check")
        problems = [str(row[0]) for row in result if row[0] != "ok"]
        if problems:
            raise self._corrupt("integrity check failed: " + "; ".join(problems[:5]))
        with self._lock:
            self._check_open()
            try:
                marks = self._marks.read_all()
            except ValueError as error:
                raise self._damaged_mark(error) from None
            mark = marks[0] if marks else None
            self._older_mark = marks[1] if len(marks) > 1 else None
            if mark is None:
                raise self._corrupt(f"its mark file {self._marks.path.name} is missing")
            try:
                self._check_mark(self._db, mark)
            except _READ_ERRORS as error:
                raise self._corrupt("cannot read the records the mark names", error) from error
        last = 0
        for command in self.commands(after=0):
            last = command.seq
        for _ in self.events():
            pass
        seqs = self.snapshot_seqs()
        if not seqs:
            raise self._corrupt("it holds no snapshot")
        for seq in seqs:
            self.snapshot(seq)
            if seq > last:
                raise self._corrupt(f"a snapshot after command {seq} but only {last} commands")

    def close(self) -> None:
        """Close the file; later writes and reads raise :class:`~omnirouter.JournalError`."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()
                self._marks.close()


def _sync_directory(path: Path) -> None:
    """Make a new file's directory entry durable (the mark must survive a power cut)."""
    try:
        handle = os.open(path.parent if str(path.parent) else Path("."), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
