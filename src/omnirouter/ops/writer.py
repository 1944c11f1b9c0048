"""The link between a router and its journal: what is written, and when it is durable.

The router tells a :class:`JournalWriter` each state-changing call (a command listener),
each event (a subscriber) and the end of each outermost call (a commit hook, after the
call's events were delivered). At that commit point the writer closes a batch: in
``"command"`` durability it writes it before the call returns; in ``"group"``
durability a background thread writes the batches gathered every ``group_interval``
seconds, and :attr:`JournalWriter.durable_seq` says how far the journal is durable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from omnirouter.errors import JournalError
from omnirouter.ops.journal import Batch, Command, Journal, Snapshot
from omnirouter.routing.commands import NOT_REPLAYABLE as _NOT_REPLAYABLE
from omnirouter.routing.events import Event

if TYPE_CHECKING:
    from omnirouter.routing.router import Router

__all__ = ["NOT_REPLAYABLE", "JournalWriter", "attach_journal"]

#: Commands whose arguments cannot be replayed (a Python callable): the writer stores a
#: snapshot right after each, so recovery starts after it and needs only the new hook.
#: (From the router's one command table.)
NOT_REPLAYABLE: Final = _NOT_REPLAYABLE


class JournalWriter:
    """Writes one router's commands, events and snapshots to a :class:`Journal`.

    Reach it as ``router.journal``. ``last_seq`` is the number of the last command
    recorded, ``durable_seq`` of the last one known durable; :meth:`wait_durable` blocks
    until a command is durable and :meth:`on_durable` calls back each time the durable
    mark moves (in ``"group"`` mode, from the writer's thread).
    """

    def __init__(self, router: Router, journal: Journal, last_seq: int) -> None:
        self._router = router
        self._journal = journal
        self._group = journal.durability == "group"
        self._interval = float(journal.group_interval)
        self._snapshot_every = int(journal.snapshot_every)
        self._seq = last_seq
        self._durable = last_seq
        self._since_snapshot = 0
        self._force_snapshot = False
        self._commands: list[Command] = []
        self._events: list[tuple[int, Event]] = []
        self._queue: list[Batch] = []
        self._failure: BaseException | None = None
        self._closed = False
        self._cond = threading.Condition()
        self._durable_callbacks: list[Callable[[int], object]] = []
        self._removers: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None

    @property
    def journal(self) -> Journal:
        """The store this writer appends to."""
        return self._journal

    @property
    def last_seq(self) -> int:
        """The sequence number of the last command recorded (maybe not yet durable)."""
        return self._seq

    @property
    def durable_seq(self) -> int:
        """The sequence number up to which every command is durable."""
        with self._cond:
            return self._durable

    def _start(self) -> None:
        router = self._router
        self._removers.append(router.add_command_listener(self._on_command))
        if self._journal.keep_events:
            self._removers.append(router.subscribe(self._on_event))
        self._removers.append(router.add_commit_hook(self._on_commit))
        if self._group:
            self._thread = threading.Thread(
                target=self._flush_loop, name="omnirouter-journal", daemon=True
            )
            self._thread.start()

    # ------------------------------------------------------------------ router side

    def _on_command(self, name: str, arguments: dict[str, Any], at: float) -> None:
        if self._failure is not None or self._closed:
            raise JournalError(
                "the journal writer has stopped"
                + (f" after a failed write: {self._failure}" if self._failure else "")
                + "; recover the router from the journal"
            )
        self._seq += 1
        self._commands.append(Command(self._seq, at, name, arguments))
        if name in NOT_REPLAYABLE:
            self._force_snapshot = True

    def _on_event(self, event: Event) -> None:
        self._events.append((self._seq, event))

    def _on_commit(self) -> None:
        commands = self._commands
        if not commands:
            self._events.clear()
            return
        self._since_snapshot += len(commands)
        snapshot = None
        if self._force_snapshot or (
            self._snapshot_every and self._since_snapshot >= self._snapshot_every
        ):
            snapshot = Snapshot(self._seq, self._router.snapshot())
            self._since_snapshot = 0
            self._force_snapshot = False
        batch = Batch(tuple(commands), tuple(self._events), snapshot)
        self._commands = []
        self._events = []
        if self._group:
            with self._cond:
                self._queue.append(batch)
                self._cond.notify_all()
            return
        try:
            self._journal.write(batch)
        except BaseException as error:
            self._failure = error
            raise JournalError(
                f"command {batch.commands[-1].seq} was applied but could not be made durable: "
                f"{error}; recover the router from the journal"
            ) from error
        self._mark_durable(batch.commands[-1].seq)

    def _mark_durable(self, seq: int) -> None:
        with self._cond:
            self._durable = seq
            self._cond.notify_all()
            callbacks = tuple(self._durable_callbacks)
        for callback in callbacks:
            callback(seq)

    # ------------------------------------------------------------------ group commits

    def _flush_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or bool(self._queue))
                if not self._closed:
                    # Let more commands join this group.
                    self._cond.wait_for(lambda: self._closed, timeout=self._interval)
                batches, self._queue = self._queue, []
                closing = self._closed
            if batches and not self._write_group(batches):
                return
            if closing:
                with self._cond:
                    if not self._queue:
                        return

    def _write_group(self, batches: list[Batch]) -> bool:
        snapshots = [b.snapshot for b in batches if b.snapshot is not None]
        merged = Batch(
            tuple(c for b in batches for c in b.commands),
            tuple(e for b in batches for e in b.events),
            snapshots[-1] if snapshots else None,
        )
        try:
            self._journal.write(merged)
        except BaseException as error:
            with self._cond:
                self._failure = error
                self._cond.notify_all()
            return False
        if merged.commands:
            self._mark_durable(merged.commands[-1].seq)
        return True

    # ------------------------------------------------------------------ host side

    def wait_durable(self, seq: int | None = None, timeout: float | None = None) -> bool:
        """Block until command ``seq`` (default: the last recorded) is durable.

        Returns False on timeout; raises :class:`~omnirouter.JournalError` when the
        write failed.
        """
        target = self._seq if seq is None else seq
        with self._cond:
            done = self._cond.wait_for(
                lambda: self._durable >= target or self._failure is not None, timeout
            )
            if self._failure is not None and self._durable < target:
                raise JournalError(f"the journal write failed: {self._failure}")
        return done

    def on_durable(self, callback: Callable[[int], object]) -> Callable[[], None]:
        """Call ``callback(durable_seq)`` each time more commands become durable."""
        with self._cond:
            self._durable_callbacks.append(callback)

        def remove() -> None:
            with self._cond:
                if callback in self._durable_callbacks:
                    self._durable_callbacks.remove(callback)

        return remove

    def checkpoint(self) -> int:
        """Store a snapshot now (recovery then replays only what follows); returns its seq."""
        with self._router.view.lock:
            seq = self._seq
            snapshot = Snapshot(seq, self._router.snapshot())
            self._since_snapshot = 0
            pending = Batch((), (), snapshot)
            if self._group:
                with self._cond:
                    self._queue.append(pending)
                    self._cond.notify_all()
            else:
                self._journal.write(pending)
        if self._group:
            self.wait_durable(seq)
        return seq

    def close(self) -> None:
        """Write what is pending, stop the writer, detach from the router, close the store."""
        if self._closed:
            return
        for remove in self._removers:
            remove()
        self._removers.clear()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        self._router.view.extensions.pop(JournalWriter)
        self._journal.close()
        if self._failure is not None:
            raise JournalError(f"the last journal write failed: {self._failure}")


def attach_journal(router: Router, journal: Journal, last_seq: int | None = None) -> JournalWriter:
    """Start journaling ``router`` to ``journal``.

    With ``last_seq`` None the journal must be empty: its first record becomes a
    snapshot of the router as it is now (seq 0). After a recovery, ``last_seq`` is the
    last command replayed and numbering continues from it.
    """
    if not isinstance(journal, Journal):
        from omnirouter.errors import ErrorDetail, ValidationError

        raise ValidationError(
            "Router",
            [ErrorDetail(["journal"], f"must implement om.ops.Journal, not {journal!r}")],
        )
    if router.view.extensions.get(JournalWriter) is not None:
        raise JournalError("the router already writes to a journal")
    if last_seq is None:
        stored = journal.last_seq()
        if stored or journal.snapshot() is not None:
            raise JournalError(
                f"{journal!r} already holds a journal (last command {stored}); "
                "continue it with om.Router.recover(journal)"
            )
        journal.write(Batch((), (), Snapshot(0, router.snapshot())))
        last_seq = 0
    writer = JournalWriter(router, journal, last_seq)
    writer._start()
    router.view.extensions.put(writer)
    return writer
