"""One heap of timers (offer timeouts, step expiry, wrap-up ends, SLA marks, callbacks).

Plain data: a timer is ``(due, seq, kind, subject id, token)``; the heap never calls
anything; the router pops what is due and acts on it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

__all__ = ["TimerHeap"]

#: A timer: (due time, sequence, kind, subject id, token). The sequence breaks ties in
#: the order timers were set; the token tells a stale timer from a live one.
Timer = tuple[float, int, str, str, Any]


class TimerHeap:
    """Timers in due order; stale ones are recognised by their token when they fire."""

    __slots__ = ("heap", "seq")

    def __init__(self) -> None:
        self.heap: list[Timer] = []
        self.seq = 0

    def set(self, at: float, kind: str, subject: str, token: Any = 0) -> None:
        """Set a timer of ``kind`` for ``subject`` due at ``at``."""
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
            (float(t[0]), int(t[1]), str(t[2]), str(t[3]), t[4]) for t in map(list, timers)
        ]
        heapq.heapify(self.heap)
        self.seq = seq
