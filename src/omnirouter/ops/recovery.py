"""Crash recovery: the latest snapshot plus every command recorded after it.

Replaying is exact because the router is deterministic: the same commands at the same
times, from the same state (random generator included), give the same state. Each
command is replayed at its recorded time through a clock that returns that time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from omnirouter.errors import JournalCorruptError, OmnirouterError, RecoveryError
from omnirouter.model import ChannelRegistry
from omnirouter.ops.journal import Journal
from omnirouter.ops.writer import NOT_REPLAYABLE, attach_journal
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.routing.router import PriorityStrategy, Router, ServiceLevelHook

__all__ = ["recover", "replay"]


class _ReplayClock:
    """Returns the recorded time of the command being replayed."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = 0.0

    def __call__(self) -> float:
        return self.at


def replay(
    cls: type[Router],
    journal: Journal,
    *,
    clock: Callable[[], float] | None = None,
    from_seq: int | None = None,
    upto: int | None = None,
    on_event: Callable[[Any], object] | None = None,
    **hooks: Any,
) -> tuple[Router, int]:
    """A router rebuilt from a snapshot and the commands after it; and the last seq.

    ``from_seq`` picks the snapshot (default: the latest; 0 replays everything from the
    start); ``upto`` stops after that command. ``on_event`` sees the replayed events.
    ``hooks`` are :meth:`Router.restore`'s keyword arguments. Each command runs at its
    recorded time; afterwards the router reads ``clock`` (default: the time of the last
    command replayed).
    """
    snapshot = journal.snapshot(from_seq)
    if snapshot is None:
        if from_seq is None and journal.last_seq() == 0:
            raise RecoveryError(
                f"{journal!r} is empty: nothing to recover; start with om.Router(journal=...)"
            )
        where = "any snapshot" if from_seq is None else f"a snapshot after command {from_seq}"
        raise JournalCorruptError(f"{journal!r} holds commands but not {where}")
    replay_clock = _ReplayClock()
    try:
        router = cls.restore(snapshot.data, clock=clock or replay_clock, **hooks)
    except OmnirouterError as error:
        raise RecoveryError(
            f"the snapshot after command {snapshot.seq} cannot be restored: {error}"
        ) from error
    if on_event is not None:
        router.subscribe(on_event)
    last = snapshot.seq
    for command in journal.commands(after=snapshot.seq):
        if upto is not None and command.seq > upto:
            break
        if command.name in NOT_REPLAYABLE:
            raise RecoveryError(
                f"command {command.seq} ({command.name}) set a Python hook that a journal "
                "cannot hold; recover from the snapshot stored after it"
            )
        replay_clock.at = command.at
        try:
            router.execute(command.name, command.arguments, at=command.at)
        except OmnirouterError as error:
            raise RecoveryError(
                f"command {command.seq} ({command.name} at {command.at}) succeeded when "
                f"recorded but fails on replay: {error}. Pass recover() the same hooks "
                "(priority, sla, selection, four_eyes, blending) that were in force."
            ) from error
        last = command.seq
    if upto is not None and last < upto:
        raise RecoveryError(f"the journal ends at command {last}, before {upto}")
    return router, last


def recover(
    cls: type[Router],
    journal: Journal,
    *,
    queues: Iterable[Queue] | None,
    selection: Any,
    clock: Callable[[], float],
    channels: ChannelRegistry | None,
    priority: PriorityStrategy | None,
    sla: ServiceLevelHook | None,
    rng: random.Random | None,
    four_eyes: FourEyes | None,
    checkpoint: bool,
    blending: Iterable[Any] | None = None,
) -> Router:
    """See :meth:`omnirouter.Router.recover`."""
    router, last = replay(
        cls,
        journal,
        clock=clock,
        queues=queues,
        selection=selection,
        channels=channels,
        priority=priority,
        sla=sla,
        rng=rng,
        four_eyes=four_eyes,
        blending=blending,
    )
    writer = attach_journal(router, journal, last_seq=last)
    if checkpoint and last > 0:
        # The next recovery then starts here instead of replaying the same tail again.
        writer.checkpoint()
    return router
