"""One heap of timers (offer timeouts, step expiry, wrap-up ends, SLA marks, callbacks).

Plain data: a timer is ``(due, seq, kind, subject id, token)``; the heap never calls
anything; the router pops what is due and acts on it.

Two implementations keep the same interface: the compiled one
(``omnirouter._native.TimerHeap``) and :class:`PythonTimerHeap`, the reference.
:data:`TimerHeap` is the one that runs (see :data:`omnirouter.dispatch.implementation`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from omnirouter.dispatch._implementation import IMPLEMENTATION, native_module

__all__ = ["PythonTimerHeap", "TimerHeap", "Timers"]

#: A timer: (due time, sequence, kind, subject id, token). The sequence breaks ties in
#: the order timers were set; the token tells a stale timer from a live one.
Timer = tuple[float, int, str, str, Any]


class Timers(Protocol):
    """The interface both timer heaps keep."""

    @property
    def seq(self) -> int:
        """The sequence number of the last timer set."""

    def set(self, at: float, kind: str, subject: str, token: Any) -> None:
        """Set a timer of ``kind`` for ``subject`` due at ``at`` (a finite number)."""

    def next_at(self) -> float | None:
        """When the next timer is due, or None."""

    def pop_due(self, now: float) -> Timer | None:
        """The next timer due at or before ``now`` (removed), or None."""

    def to_json(self) -> list[list[Any]]:
        """The timers in due order, as lists."""

    def load(self, timers: Iterable[Iterable[Any]], seq: int) -> None:
        """Replace the timers by ``timers`` (as from :meth:`to_json`)."""

    def __len__(self) -> int:
        """How many timers are set (stale ones included)."""


def _finite(at: float) -> float:
    if not math.isfinite(at):
        raise ValueError("a timer's due time must be a finite number")
    return at


class PythonTimerHeap:
    """Timers in due order; stale ones are recognised by their token when they fire
    (the reference)."""

    __slots__ = ("heap", "seq")

    def __init__(self) -> None:
        self.heap: list[Timer] = []
        self.seq = 0

    def set(self, at: float, kind: str, subject: str, token: Any) -> None:
        """Set a timer of ``kind`` for ``subject`` due at ``at`` (a finite number), with
        ``token`` (told back when it fires, to tell a stale timer from a live one)."""
        at = _finite(at)  # refused before anything changes
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, subject, token))

    def next_at(self) -> float | None:
        """When the next timer is due, or None."""
        return self.heap[0][0] if self.heap else None

    def pop_due(self, now: float) -> Timer | None:
        """The next timer due at or before ``now`` (removed), or None."""
        heap = self.heap
        if heap and heap[0][0] <= now:
            return heapq.heappop(heap)
        return None

    def to_json(self) -> list[list[Any]]:
        """The timers in due order, as lists."""
        return [list(timer) for timer in sorted(self.heap)]

    def load(self, timers: Iterable[Iterable[Any]], seq: int) -> None:
        """Replace the timers by ``timers`` (as from :meth:`to_json`)."""
        self.heap = [
            (_finite(float(t[0])), int(t[1]), str(t[2]), str(t[3]), t[4]) for t in map(list, timers)
        ]
        heapq.heapify(self.heap)
        self.seq = seq

    def __len__(self) -> int:
        """How many timers are set (stale ones included)."""
        return len(self.heap)


#: An empty timer heap of the implementation that runs.
TimerHeap: Callable[[], Timers] = (
    native_module().TimerHeap if IMPLEMENTATION == "native" else PythonTimerHeap
)
