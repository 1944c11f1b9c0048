"""The event kernel: a heap of ``(time, priority, seq, handler, payload)`` tuples.

Time is a float in epoch seconds (the virtual clock). Events at the same time run
by ``priority`` (lower first), then in the order they were scheduled, so a run is
fully deterministic. The kernel also drives a router's own timers: before each
event it asks ``next_wakeup()`` and, when a router timer falls due first, moves the
clock there and calls ``tick(now)``.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any

__all__ = ["EventKernel", "Handler"]

#: What the kernel calls when an event falls due; it receives the event's payload.
Handler = Callable[[Any], None]


class EventKernel:
    """A discrete-event scheduler with a virtual clock.

    Events run in time order; :meth:`run` leaves the clock at ``until``.

    >>> kernel = EventKernel(start=100.0)
    >>> seen = []
    >>> kernel.schedule(105.0, seen.append, "b")
    >>> kernel.schedule(101.0, seen.append, "a")
    >>> kernel.run(until=200.0)
    >>> seen, kernel.now
    (['a', 'b'], 200.0)
    """

    __slots__ = ("_counter", "_heap", "now")

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self._heap: list[tuple[float, int, int, Handler, Any]] = []
        self._counter = itertools.count()

    def clock(self) -> float:
        """The virtual time: pass this bound method as a router's ``clock``."""
        return self.now

    def schedule(self, at: float, handler: Handler, payload: Any = None, priority: int = 0) -> None:
        """Call ``handler(payload)`` at time ``at`` (never earlier than now)."""
        if at < self.now:
            raise ValueError(f"cannot schedule at {at}, before the clock ({self.now})")
        heapq.heappush(self._heap, (at, priority, next(self._counter), handler, payload))

    def __len__(self) -> int:
        return len(self._heap)

    def next_time(self) -> float | None:
        """When the next event falls due (``None`` when none is scheduled)."""
        return self._heap[0][0] if self._heap else None

    def run(
        self,
        until: float,
        *,
        next_wakeup: Callable[[], float | None] | None = None,
        tick: Callable[[float], object] | None = None,
    ) -> None:
        """Process events in order up to (not including) ``until``; the clock ends there.

        With ``next_wakeup`` and ``tick`` (a router's), router timers that fall due
        before the next event fire first, at their own time.
        """
        heap = self._heap
        heappop = heapq.heappop
        if next_wakeup is None or tick is None:
            while heap and heap[0][0] < until:
                at, _, _, handler, payload = heappop(heap)
                self.now = at
                handler(payload)
        else:
            while True:
                wake = next_wakeup()
                if wake is not None and wake < until and (not heap or wake <= heap[0][0]):
                    if wake > self.now:
                        self.now = wake
                    tick(self.now)
                    continue
                if not heap or heap[0][0] >= until:
                    break
                at, _, _, handler, payload = heappop(heap)
                self.now = at
                handler(payload)
        if until > self.now:
            self.now = until
