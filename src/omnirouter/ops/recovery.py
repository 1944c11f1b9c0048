"""Crash recovery: the latest snapshot plus every command recorded after it, verified.

Replaying is exact because the router is deterministic: the same commands at the same
times, from the same state (random generator included), under the same configuration,
give the same state. Recovery checks each of these instead of trusting it:

* the configuration recorded with the snapshot (queues, policies, fingerprints of the
  Python hooks) must equal the recovering router's, or :class:`~omnirouter.RecoveryError`
  lists what differs (``accept_changes`` lets a deliberate change through);
* every replayed command must give exactly the events recorded for it, or replay stops
  at the first difference with :class:`~omnirouter.RecoveryError` naming the command;
* nothing is written to the journal until all of that held, so a refused recovery
  leaves the journal as it was and a later, correct one still finds the recorded state.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from omnirouter.errors import (
    JournalCorruptError,
    OmnirouterError,
    RecoveryError,
    ValidationError,
)
from omnirouter.model import ChannelRegistry
from omnirouter.ops._config import CONFIG_PARTS, configuration_of, differences
from omnirouter.ops.journal import Command, Journal, encode
from omnirouter.ops.writer import NOT_REPLAYABLE, attach_journal
from omnirouter.routing.events import Event
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.routing.router import PriorityStrategy, Router, ServiceLevelHook

__all__ = ["recover", "replay"]

_HOOKS_HINT = (
    "Pass recover() the same hooks (priority, sla, selection, four_eyes, blending) that "
    "were in force when the commands were recorded."
)


class _ReplayClock:
    """The recorded time of the command being replayed; afterwards, the real clock."""

    __slots__ = ("at", "live", "replaying")

    def __init__(self, live: Callable[[], float]) -> None:
        self.at = 0.0
        self.live = live
        self.replaying = True

    def __call__(self) -> float:
        return self.at if self.replaying else self.live()


def _plain(event: Event) -> Any:
    return json.loads(encode(event.to_json()))


def _describe(event: Any) -> str:
    if event is None:
        return "no event"
    parts = [str(event.get("kind"))]
    for key in ("interaction_id", "agent_id", "queue"):
        if event.get(key) is not None:
            parts.append(f"{key}={event[key]!r}")
    return " ".join(parts)


def _difference(recorded: Any, replayed: Any) -> str:
    if recorded is None or replayed is None:
        return f"recorded {_describe(recorded)}, replayed {_describe(replayed)}"
    fields = [key for key in recorded if recorded.get(key) != replayed.get(key)]
    return (
        f"recorded {_describe(recorded)}, replayed {_describe(replayed)} "
        f"(they differ in {', '.join(fields)})"
    )


class _EventCheck:
    """Compares the replayed event stream with the recorded one, command by command."""

    def __init__(self, recorded: Iterator[tuple[int, Event]] | None) -> None:
        self._recorded = recorded
        self._ahead: tuple[int, Event] | None = None
        self.replayed: list[Event] = []

    @property
    def active(self) -> bool:
        return self._recorded is not None

    def _next(self) -> tuple[int, Event] | None:
        if self._ahead is not None:
            item, self._ahead = self._ahead, None
            return item
        assert self._recorded is not None
        return next(self._recorded, None)

    def after(self, command: Command) -> None:
        """Compare the events the command's replay gave with the recorded ones."""
        if self._recorded is None:
            self.replayed.clear()
            return
        replayed = list(self.replayed)
        self.replayed.clear()
        for index, event in enumerate(replayed):
            item = self._next()
            got = _plain(event)
            want = None if item is None else _plain(item[1])
            if got != want:
                raise self._diverged(command, index, want, got)
        item = self._next()
        if item is not None and item[0] <= command.seq:
            raise self._diverged(command, len(replayed), _plain(item[1]), None)
        self._ahead = item

    def _diverged(self, command: Command, index: int, want: Any, got: Any) -> RecoveryError:
        return RecoveryError(
            f"command {command.seq} ({command.name} at {command.at}) replays differently "
            f"from the recording: its event {index + 1} was {_difference(want, got)}. "
            f"{_HOOKS_HINT} Nothing was written to the journal."
        )


def _check_configuration(recorded: Any, router: Router, accept: frozenset[str]) -> None:
    if recorded is None:
        return
    current = json.loads(encode(configuration_of(router)))
    found = [line for line in differences(recorded, current) if line.split(":", 1)[0] not in accept]
    if found:
        raise RecoveryError(
            "the recovering router's configuration differs from the one recorded in the "
            "journal:\n  "
            + "\n  ".join(found)
            + f"\n{_HOOKS_HINT} To accept a deliberate change, pass accept_changes="
            "[part, ...]; the replay must still give the recorded events. "
            "Nothing was written to the journal."
        )


def _accepted(accept_changes: bool | Iterable[str]) -> frozenset[str]:
    if accept_changes is True:
        return frozenset(CONFIG_PARTS)
    if accept_changes is False:
        return frozenset()
    parts = frozenset(accept_changes)
    unknown = parts - set(CONFIG_PARTS)
    if unknown:
        raise RecoveryError(
            f"accept_changes names unknown parts {sorted(unknown)}; known: {list(CONFIG_PARTS)}"
        )
    return parts


def _failed(command: Command, error: OmnirouterError) -> RecoveryError:
    return RecoveryError(
        f"command {command.seq} ({command.name} at {command.at}) succeeded when "
        f"recorded but fails on replay: {error}. {_HOOKS_HINT}"
    )


def _execute(router: Router, command: Command) -> None:
    try:
        router.execute(command.name, command.arguments)
    except ValidationError as error:
        if error.title != "execute":
            raise _failed(command, error) from error
        raise RecoveryError(
            f"command {command.seq} ({command.name}) has a name or arguments this version "
            f"does not take ({'; '.join(d.message for d in error.errors)}); was it written "
            "by a newer version or another journal writer?"
        ) from error
    except OmnirouterError as error:
        raise _failed(command, error) from error
    except (TypeError, KeyError, AttributeError, ValueError) as error:
        raise RecoveryError(
            f"command {command.seq} ({command.name}) has arguments this version does not "
            f"take ({type(error).__name__}: {error}); was it written by a newer version or "
            "another journal writer?"
        ) from error


def replay(
    cls: type[Router],
    journal: Journal,
    *,
    from_seq: int | None = None,
    upto: int | None = None,
    on_event: Callable[[Any], object] | None = None,
    clock: Callable[[], float] | None = None,
    accept_changes: bool | Iterable[str] = (),
    **hooks: Any,
) -> tuple[Router, int]:
    """A router rebuilt from a snapshot and the commands after it; and the last seq.

    ``from_seq`` picks the snapshot (default: the latest; 0 replays everything from the
    start); ``upto`` stops after that command. ``on_event`` sees the replayed events.
    ``hooks`` are :meth:`Router.restore`'s keyword arguments. The configuration and every
    replayed command's events are verified (see the module doc). Once replayed, the
    router reads ``clock`` (default: the last replayed time stays).
    """
    router, last, _forgotten = _replay(
        cls,
        journal,
        from_seq=from_seq,
        upto=upto,
        on_event=on_event,
        clock=clock,
        accept_changes=accept_changes,
        **hooks,
    )
    return router, last


def _replay(
    cls: type[Router],
    journal: Journal,
    *,
    from_seq: int | None,
    upto: int | None,
    on_event: Callable[[Any], object] | None,
    clock: Callable[[], float] | None,
    accept_changes: bool | Iterable[str],
    **hooks: Any,
) -> tuple[Router, int, list[str]]:
    accept = _accepted(accept_changes)
    snapshot = journal.snapshot(from_seq)
    if snapshot is None:
        if from_seq is None and journal.last_seq() == 0:
            raise RecoveryError(
                f"{journal!r} is new: it holds no snapshot and no command to recover from"
            )
        where = "any snapshot" if from_seq is None else f"a snapshot after command {from_seq}"
        raise JournalCorruptError(f"{journal!r} holds commands but not {where}")
    replay_clock = _ReplayClock(clock if clock is not None else lambda: replay_clock.at)
    try:
        router = cls.restore(snapshot.data, clock=replay_clock, **hooks)
    except OmnirouterError as error:
        raise RecoveryError(
            f"the snapshot after command {snapshot.seq} cannot be restored: {error}"
        ) from error
    _check_configuration(snapshot.config, router, accept)
    command_events = getattr(journal, "command_events", None)
    check = _EventCheck(
        command_events(snapshot.seq)
        if callable(command_events) and getattr(journal, "keep_events", False)
        else None
    )
    stop_checking = router.subscribe(check.replayed.append)
    if on_event is not None:
        router.subscribe(on_event)
    last = snapshot.seq
    forgotten: list[str] = []
    for command in journal.commands(after=snapshot.seq):
        if upto is not None and command.seq > upto:
            break
        if command.name in NOT_REPLAYABLE:
            raise RecoveryError(
                f"command {command.seq} ({command.name}) set a Python hook that a journal "
                "cannot hold; recover from the snapshot stored after it"
            )
        replay_clock.at = command.at
        _execute(router, command)
        check.after(command)
        if command.name == "forget":
            forgotten.append(str(command.arguments.get("customer_id")))
        last = command.seq
    if upto is not None and last < upto:
        raise RecoveryError(f"the journal ends at command {last}, before {upto}")
    stop_checking()
    replay_clock.replaying = False
    return router, last, forgotten


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
    accept_changes: bool | Iterable[str] = (),
) -> Router:
    """See :meth:`omnirouter.Router.recover`."""
    router, last, forgotten = _replay(
        cls,
        journal,
        from_seq=None,
        upto=None,
        on_event=None,
        clock=clock,
        accept_changes=accept_changes,
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
    for customer_id in forgotten:
        # A forget replayed here may have crashed before its erasure finished: repeat it.
        writer.erase(customer_id)
    if checkpoint and (last > 0 or accept_changes):
        # The next recovery then starts here instead of replaying the same tail again
        # (and, after an accepted change, under the configuration now in force).
        writer.checkpoint()
    return router
