"""The least a router can do on the routing benchmark's path, in plain Python.

Not part of omnirouter: a yardstick for ``bench_routing.py``. Where the heapq floor
only matches, this class also does the bookkeeping that any embeddable router with
omnirouter's contract must do on every call, and nothing more:

- a public method per call, a re-entrant lock (thread safety), the injected clock;
- refuse an id that is live or finished; pick the queue from a memo of ``reason``;
- a work record per interaction, and its end state when it finishes;
- per queue, a lazy index of free agents (a deque of ``(idle since, seq, agent)``),
  checked against presence, a per-channel capacity count and the key on the way;
- an ``assigned`` event record per assignment, delivered to the subscribers after
  the call's changes are made (so a subscriber may call the router again);
- on completion, the best waiting item over the agent's queues, else the agent back
  into each of its queues' indexes.

It has none of the features: no priorities or ageing, targets that widen, exclusions,
offers, budgets, family caps or exclusive channels, blending, service-level timers,
selection policies, journals, explain or snapshots. The gap between it and the heapq
floor is what Python charges for the bookkeeping alone; the gap between omnirouter
and it is what the features cost.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

_new_tuple = tuple.__new__


class Assigned(NamedTuple):
    """The one event record this router emits (the shape of ``om.Event``)."""

    kind: str
    at: float
    interaction_id: str
    agent_id: str
    queue: str
    channel: str
    detail: dict[str, Any]


class _Work:
    __slots__ = ("agent", "id", "order_key", "queue", "seq", "state")

    def __init__(self, work_id: str, seq: int, now: float, queue: str) -> None:
        self.id = work_id
        self.seq = seq
        self.order_key = now
        self.queue = queue
        self.state = "waiting"
        self.agent: _Agent | None = None


class _Agent:
    __slots__ = ("cap", "held", "id", "idle_since", "items", "pools", "present", "seq")

    def __init__(self, agent_id: str, seq: int, cap: int) -> None:
        self.id = agent_id
        self.seq = seq
        self.cap = cap
        self.held = 0
        self.idle_since = 0.0
        self.present = True
        self.items: dict[str, str] = {}
        self.pools: list[_Pool] = []


class _Pool:
    __slots__ = ("channel", "free", "line", "name")

    def __init__(self, name: str, channel: str) -> None:
        self.name = name
        self.channel = channel
        self.free: deque[tuple[float, int, _Agent]] = deque()
        self.line: deque[_Work] = deque()


class MinimalRouter:
    """``queues`` pools named ``q0…``, taking reason ``r<k>``; agent ``n`` serves ``serves[n]``."""

    def __init__(
        self, serves: Sequence[Sequence[int]], queues: int, clock: Callable[[], float]
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._work: dict[str, _Work] = {}
        self._finished: dict[str, str] = {}
        self._seq = 0
        self._pending: deque[Assigned] = deque()
        self._subscribers: list[Callable[[Assigned], object]] = []
        pools = [_Pool(f"q{k}", "voice") for k in range(queues)]
        self._queue_of = {f"r{k}": pools[k] for k in range(queues)}
        self._agents: dict[str, _Agent] = {}
        for n, queue_numbers in enumerate(serves):
            agent = _Agent(f"a{n}", n, 1)
            agent.pools = [pools[k] for k in queue_numbers]
            for pool in agent.pools:
                pool.free.append((0.0, n, agent))
            self._agents[agent.id] = agent

    def subscribe(self, callback: Callable[[Assigned], object]) -> None:
        with self._lock:
            self._subscribers.append(callback)

    def submit(self, interaction: Any) -> None:
        with self._lock:
            now = self._clock()
            work_id = interaction.id
            if work_id in self._work or work_id in self._finished:
                raise ValueError(f"{work_id!r} was already submitted")
            pool = self._queue_of[interaction.reason]
            self._seq += 1
            work = _Work(work_id, self._seq, now, pool.name)
            self._work[work_id] = work
            free = pool.free
            while free:
                key, _, agent = free[0]
                if agent.present and agent.held < agent.cap and key == agent.idle_since:
                    self._assign(work, agent, pool.channel, now)
                    break
                free.popleft()
            else:
                pool.line.append(work)
            self._deliver()

    def complete(self, work_id: str) -> None:
        with self._lock:
            now = self._clock()
            work = self._work.get(work_id)
            if work is None or work.state != "assigned" or work.agent is None:
                raise ValueError(f"{work_id!r} is not assigned")
            agent = work.agent
            channel = agent.items.pop(work_id)
            agent.held -= 1
            if now > agent.idle_since:
                agent.idle_since = now
            del self._work[work_id]
            self._finished[work_id] = work.state = "completed"
            best: _Work | None = None
            best_pool: _Pool | None = None
            for pool in agent.pools:
                if pool.line:
                    head = pool.line[0]
                    if best is None or (head.order_key, head.seq) < (best.order_key, best.seq):
                        best, best_pool = head, pool
            if best is not None and best_pool is not None:
                best_pool.line.popleft()
                self._assign(best, agent, channel, now)
            else:
                entry = (agent.idle_since, agent.seq, agent)
                for pool in agent.pools:
                    pool.free.append(entry)
            self._deliver()

    def _assign(self, work: _Work, agent: _Agent, channel: str, now: float) -> None:
        agent.held += 1
        agent.items[work.id] = channel
        work.agent = agent
        work.state = "assigned"
        self._pending.append(
            _new_tuple(Assigned, ("assigned", now, work.id, agent.id, work.queue, channel, {}))
        )

    def _deliver(self) -> None:
        pending = self._pending
        while pending:
            event = pending.popleft()
            for callback in self._subscribers:
                callback(event)
