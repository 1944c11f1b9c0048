"""Waiting work: one heap per (queue, step, channel), ordered by a static key.

The key is ``enqueued_at - head_start`` (priority counts as virtual waiting time, so
ageing is linear and the order never has to be recomputed as time passes), then the
arrival sequence. Requeued and transferred work keeps its key, hence its place.
Entries are deleted lazily: an entry is live while its work still sits in this line
with the same token.

Plain data: a line holds any record with the four fields of :class:`Waiter` and counts
into any pool with the two fields of :class:`LinePool`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["LinePool", "Tally", "WaitLine", "Waiter"]


class Waiter(Protocol):
    """What a line needs of the work in it: where it sits, and its place in the order."""

    line: Any
    line_token: int
    order_key: float
    seq: int


class LinePool(Protocol):
    """What a line tells the pool of agents that serves it: its lines, how much waits."""

    lines: list[Any]
    waiting: int


Work = TypeVar("Work", bound=Waiter)
Pool = TypeVar("Pool", bound=LinePool)


class Tally:
    """How much work waits on one channel, over all its lines (blending conditions read it)."""

    __slots__ = ("waiting",)

    def __init__(self) -> None:
        self.waiting = 0


class WaitLine(Generic[Work, Pool]):
    """The work waiting in one step of one queue, for one channel."""

    __slots__ = ("heap", "live", "pool", "queue", "step", "tally", "token")

    def __init__(self, queue: str, step: int, pool: Pool, tally: Tally | None = None) -> None:
        self.queue = queue
        self.step = step
        self.pool = pool
        self.tally = tally if tally is not None else Tally()
        self.heap: list[tuple[float, int, int, Work]] = []
        self.live = 0
        self.token = 0
        pool.lines.append(self)

    def push(self, work: Work) -> None:
        """Put ``work`` into the line at the place its key gives."""
        self.token += 1
        work.line = self
        work.line_token = self.token
        heapq.heappush(self.heap, (work.order_key, work.seq, self.token, work))
        self.live += 1
        self.pool.waiting += 1
        self.tally.waiting += 1

    def remove(self, work: Work) -> None:
        """Take ``work`` out (its heap entry goes stale and is dropped later)."""
        work.line = None
        self.live -= 1
        self.pool.waiting -= 1
        self.tally.waiting -= 1
        if len(self.heap) > 2 * self.live + 32:
            self.heap = [entry for entry in self.heap if self._is_live(entry)]
            heapq.heapify(self.heap)

    def _is_live(self, entry: tuple[float, int, int, Work]) -> bool:
        work = entry[3]
        return work.line is self and work.line_token == entry[2]

    def head(self) -> Work | None:
        """The first live work, or None."""
        heap = self.heap
        while heap:
            entry = heap[0]
            work = entry[3]
            if work.line is self and work.line_token == entry[2]:
                return work
            heapq.heappop(heap)
        return None

    def first_matching(self, accept: Callable[[Work], bool]) -> Work | None:
        """The first live work (in order) that ``accept`` takes, or None."""
        head = self.head()
        if head is None or accept(head):
            return head
        best: tuple[float, int] | None = None
        found: Work | None = None
        for entry in self.heap:
            work = entry[3]
            if work.line is self and work.line_token == entry[2] and accept(work):
                key = (entry[0], entry[1])
                if best is None or key < best:
                    best, found = key, work
        return found

    def __iter__(self) -> Iterator[Work]:
        """The live work in waiting order."""
        return iter([entry[3] for entry in sorted(self.heap) if self._is_live(entry)])

    def __len__(self) -> int:
        return self.live
