"""The agents' runtime state and the availability index.

An :class:`AgentState` wraps one validated :class:`~omnirouter.Agent` with what the router
knows about it now: presence, load, when it was last busy. A :class:`Pool` is one
(target, channel) pair: the agents whose attributes match the target (computed once,
unless the target reads the interaction) and a lazy index of those that may be free: a
deque for entries that arrive in key order (with longest idle, every one: an agent freed
now has the newest idle-since time) and a heap for the rest.

The index holds lower bounds: an agent's key (its idle-since time for longest idle) only
grows, so a stale entry sorts too early, never too late; meeting it re-checks the agent
and indexes the real key. Each agent therefore costs one index operation per change of
availability in each of its pools, O(1) on the deque, O(log n) on the heap.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from omnirouter.model import Agent, ChannelRegistry
from omnirouter.routing._capacity import load_of
from omnirouter.routing.expressions import Expression

if TYPE_CHECKING:
    from omnirouter.dispatch.lines import WaitLine
    from omnirouter.routing._work import Work

__all__ = ["AgentState", "AgentView", "Pool"]

AVAILABLE = "available"
PRESENCES = frozenset({"available", "away", "offline"})


class AgentView:
    """The environment a target expression sees: the agent's fields, its skills for the
    channel at hand, and (for dynamic targets) the interaction, customer and advisor."""

    __slots__ = ("_agent", "advisor", "customer", "interaction", "skills")

    def __init__(
        self,
        agent: Agent,
        skills: dict[str, int],
        interaction: Any = None,
        customer: Any = None,
        advisor: Any = None,
    ) -> None:
        self._agent = agent
        self.skills = skills
        self.interaction = interaction
        self.customer = customer
        self.advisor = advisor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agent, name)


class AgentState:
    """One agent as the router sees it now."""

    __slots__ = (
        "agent",
        "id",
        "idle_since",
        "items",
        "load",
        "paused",
        "pools",
        "presence",
        "present",
        "recent",
        "removed",
        "seq",
        "skills_by_channel",
        "wrapping",
    )

    def __init__(self, agent: Agent, registry: ChannelRegistry, seq: int, now: float) -> None:
        self.agent = agent
        self.id = agent.id
        self.seq = seq
        self.presence = "offline"
        self.present = False
        self.load = load_of(agent, registry)
        self.idle_since = now
        self.items: dict[str, str] = {}
        self.wrapping: dict[str, str] = {}
        #: Interrupted work the agent keeps; it does not count against capacity.
        self.paused: dict[str, str] = {}
        self.pools: list[Pool] = []
        self.recent: deque[float] = deque()
        self.removed = False
        self.skills_by_channel: dict[str, dict[str, int]] = {}

    def can_take(self, channel: str) -> bool:
        """Present, and one more item of ``channel`` fits."""
        return self.present and self.load.can_take(channel)

    def skills_for(self, channel: str, registry: ChannelRegistry) -> dict[str, int]:
        """The skills that count on ``channel``: per-channel overrides over the general ones."""
        try:
            return self.skills_by_channel[channel]
        except KeyError:
            agent = self.agent
            skills = agent.skills
            if agent.channel_skills:
                family = registry.family_of(channel) if channel in registry else channel
                merged = dict(skills)
                for key in (family, channel):
                    merged.update(agent.channel_skills.get(key, {}))
                skills = merged
            self.skills_by_channel[channel] = skills
            return skills

    def view(self, channel: str, registry: ChannelRegistry, **context: Any) -> AgentView:
        """The expression environment of this agent for work on ``channel``."""
        return AgentView(self.agent, self.skills_for(channel, registry), **context)

    def touch(self, now: float) -> None:
        """The agent's load changed at ``now``: it has been idle since then."""
        if now > self.idle_since:
            self.idle_since = now


class Pool:
    """The agents that may serve one (target, channel) pair, and the free ones in key order.

    Free members wait in two lazy structures: ``fifo``, a deque whose entries arrive in
    key order (with longest idle an agent freed now has the largest idle-since key, so
    pushing and popping it costs O(1)), and ``heap`` for entries that arrive out of
    order (other policies' keys, an agent readmitted with an older key). The best free
    member is the smaller of the two heads.
    """

    __slots__ = (
        "channel",
        "dynamic",
        "expression",
        "fifo",
        "heap",
        "in_heap",
        "index",
        "lines",
        "members",
        "skill_names",
        "waiting",
    )

    def __init__(self, index: int, expression: Expression, channel: str, dynamic: bool) -> None:
        self.index = index
        self.expression = expression
        self.channel = channel
        self.dynamic = dynamic
        self.members: dict[str, AgentState] = {}
        #: None until the first search builds it (see build_heap).
        self.heap: list[tuple[Any, int, AgentState]] | None = None
        self.fifo: deque[tuple[Any, int, AgentState]] = deque()
        self.in_heap: set[str] = set()
        self.lines: list[WaitLine[Work, Pool]] = []
        self.waiting = 0
        self.skill_names = tuple(
            sorted(path[7:] for path in expression.paths if path.startswith("skills."))
        )

    def admit(self, agent: AgentState, registry: ChannelRegistry) -> bool:
        """Add ``agent`` to the members when the target matches (always for dynamic ones)."""
        if not (self.dynamic or self.expression.matches(agent.view(self.channel, registry))):
            return False
        self.members[agent.id] = agent
        agent.pools.append(self)
        return True

    def build_heap(
        self, key: Callable[[AgentState, Pool], Any] | None
    ) -> list[tuple[Any, int, AgentState]]:
        """Index the free members, keyed by ``key`` (``None``: idle-since), in key order."""
        channel = self.channel
        entries = sorted(
            (a.idle_since if key is None else key(a, self), a.seq, a)
            for a in self.members.values()
            if a.can_take(channel)
        )
        self.fifo = deque(entries)
        self.heap = []
        self.in_heap = {entry[2].id for entry in entries}
        return self.heap

    def push(self, entry: tuple[Any, int, AgentState]) -> None:
        """Index a free member: ``(key, agent.seq, agent)`` (the caller marks ``in_heap``)."""
        fifo = self.fifo
        # Tuples compare by key, then seq (unique per agent): never by the agent itself.
        if fifo and entry < fifo[-1]:
            if self.heap is None:
                self.heap = []
            heapq.heappush(self.heap, entry)
        else:
            fifo.append(entry)

    def best_free(
        self, key: Callable[[AgentState, Pool], Any] | None, excluded: frozenset[str] | set[str]
    ) -> AgentState | None:
        """The free member with the smallest key (``None``: idle-since), skipping
        ``excluded`` ids (kept in place)."""
        heap = self.heap if self.heap is not None else self.build_heap(key)
        fifo = self.fifo
        channel = self.channel
        skipped: list[tuple[Any, int, AgentState]] | None = None
        found: AgentState | None = None
        while True:
            # The smaller of the two heads (entries are unique per agent).
            if fifo:
                entry = fifo[0]
                from_fifo = not (heap and heap[0] < entry)
                if not from_fifo:
                    entry = heap[0]
            elif heap:
                entry = heap[0]
                from_fifo = False
            else:
                break
            agent = entry[2]
            fits = agent.present and not agent.removed and agent.load.can_take(channel)
            if fits:
                current = agent.idle_since if key is None else key(agent, self)
                if current == entry[0] and agent.id not in excluded:
                    # It stays indexed: with room left it may take more (checked when met).
                    found = agent
                    break
            if from_fifo:
                fifo.popleft()
            else:
                heapq.heappop(heap)
            if not fits:
                self.in_heap.discard(agent.id)
            elif current != entry[0]:
                self.push((current, agent.seq, agent))  # its key grew: re-index
            else:
                if skipped is None:
                    skipped = []
                skipped.append(entry)
        if skipped is not None:
            for entry in skipped:
                self.push(entry)
        return found

    def free_members(self) -> list[AgentState]:
        """Every member who could take one more item of the channel now, in join order."""
        channel = self.channel
        return [a for a in self.members.values() if a.can_take(channel)]
