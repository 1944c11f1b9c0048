"""What waits now, kept up to date from events so that reading it costs no pass over
the backlog: counts per channel, queue and reason, and the oldest wait per channel
and per queue.

Each event about an interaction re-reads that one interaction's state in the router
(waiting or not, in which queue, since when), so the index follows the router rather
than re-implementing its transitions. Oldest waits come from heaps with lazy deletion:
a heap item counts while it holds the interaction's current entry (the same object).
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import TYPE_CHECKING, Final

from omnirouter.model import InteractionState

if TYPE_CHECKING:
    from omnirouter.routing.view import RouterView, WorkInfo

__all__ = ["WaitingIndex"]

_QUEUED: Final = InteractionState.QUEUED
NO_REASON: Final = "(none)"


class _Entry:
    __slots__ = ("channel", "interaction_id", "queue", "reason", "since")

    def __init__(
        self, interaction_id: str, channel: str, queue: str, reason: str, since: float
    ) -> None:
        self.interaction_id = interaction_id
        self.channel = channel
        self.queue = queue
        self.reason = reason
        self.since = since


class _Oldest:
    """A heap of (since, sequence, entry) per key, stale entries dropped when on top."""

    __slots__ = ("heaps",)

    def __init__(self) -> None:
        self.heaps: dict[str, list[tuple[float, int, _Entry]]] = {}

    def push(self, key: str, entry: _Entry, sequence: int) -> None:
        heapq.heappush(self.heaps.setdefault(key, []), (entry.since, sequence, entry))

    def oldest(self, key: str, live: dict[str, _Entry]) -> float | None:
        heap = self.heaps.get(key)
        while heap:
            since, _, entry = heap[0]
            if live.get(entry.interaction_id) is entry:
                return since
            heapq.heappop(heap)
        return None

    def compact(self, key: str, live: dict[str, _Entry]) -> None:
        heap = self.heaps.get(key)
        if heap is not None:
            heap[:] = [item for item in heap if live.get(item[2].interaction_id) is item[2]]
            heapq.heapify(heap)


class WaitingIndex:
    """Waiting work by channel, queue and reason, updated one interaction at a time."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.by_channel: Counter[str] = Counter()
        self.by_queue: dict[str, Counter[str]] = {}
        self.by_reason: Counter[str] = Counter()
        self._channel_oldest = _Oldest()
        self._queue_oldest = _Oldest()
        self._sequence = 0

    def seed(self, view: RouterView) -> None:
        """Index everything waiting in the router now (one pass, at the start)."""
        for interaction_id, work in view.open_work():
            self.follow(interaction_id, work)

    def follow(self, interaction_id: str, work: WorkInfo | None) -> None:
        """Bring ``interaction_id`` in line with ``work``, its state in the router now."""
        old = self.entries.get(interaction_id)
        if work is None or work.state is not _QUEUED:
            if old is not None:
                self._drop(interaction_id, old)
            return
        interaction = work.interaction
        channel = interaction.channel
        queue = work.queue or ""
        since = work.enqueued_at
        if old is not None:
            if old.channel == channel and old.queue == queue and old.since == since:
                return
            self._drop(interaction_id, old)
        entry = _Entry(interaction_id, channel, queue, interaction.reason or NO_REASON, since)
        self.entries[interaction_id] = entry
        self.by_channel[channel] += 1
        per_queue = self.by_queue.get(queue)
        if per_queue is None:
            per_queue = self.by_queue[queue] = Counter()
        per_queue[channel] += 1
        self.by_reason[entry.reason] += 1
        self._sequence += 1
        self._channel_oldest.push(channel, entry, self._sequence)
        self._queue_oldest.push(queue, entry, self._sequence)

    def _drop(self, interaction_id: str, entry: _Entry) -> None:
        del self.entries[interaction_id]
        _decrement(self.by_channel, entry.channel)
        per_queue = self.by_queue[entry.queue]
        _decrement(per_queue, entry.channel)
        if not per_queue:
            del self.by_queue[entry.queue]
        _decrement(self.by_reason, entry.reason)
        # Stale heap entries are dropped when they reach the top; compact a heap that
        # holds far more stale than live entries so memory follows the backlog.
        for oldest, key, live in (
            (self._channel_oldest, entry.channel, self.by_channel[entry.channel]),
            (self._queue_oldest, entry.queue, sum(self.by_queue.get(entry.queue, {}).values())),
        ):
            heap = oldest.heaps.get(key)
            if heap is not None and len(heap) > 2 * live + 64:
                oldest.compact(key, self.entries)

    def oldest_of_channel(self, channel: str) -> float | None:
        """When the longest-waiting work on ``channel`` started waiting, or None."""
        return self._channel_oldest.oldest(channel, self.entries)

    def oldest_of_queue(self, queue: str) -> float | None:
        """When the longest-waiting work in ``queue`` started waiting, or None."""
        return self._queue_oldest.oldest(queue, self.entries)


def _decrement(counter: Counter[str], key: str) -> None:
    left = counter[key] - 1
    if left:
        counter[key] = left
    else:
        del counter[key]
