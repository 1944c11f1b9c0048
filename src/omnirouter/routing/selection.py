"""Agent selection policies: which of the free, matching agents gets the work.

Use a name (``"longest_idle"``), a factory result (``om.selection.round_robin()``) or any
callable ``(interaction, candidates) -> agent`` (candidates are :class:`~omnirouter.Agent`
objects; return one of them, its id, or None to leave the work waiting). Ties are
always broken by the order in which agents joined the router.

Longest idle and most skilled keep a key per agent that only grows, so the router
finds their choice in a heap in O(log n); the other policies look at every free
matching agent (O(n)).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, TypeVar

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model import Agent, Interaction

__all__ = [
    "Candidate",
    "CandidateLoad",
    "CandidatePool",
    "SelectionPolicy",
    "fewest_recent",
    "from_callable",
    "from_config",
    "least_occupied",
    "longest_idle",
    "most_skilled",
    "resolve",
    "round_robin",
    "weighted_random",
]

#: A user's own policy: ``(interaction, candidates) -> agent | agent id | None``.
ChooseFunction = Callable[[Interaction, Sequence[Agent]], "Agent | str | None"]


class CandidateLoad(Protocol):
    """What a policy may read of a candidate's load."""

    @property
    def active(self) -> int:
        """How many items the agent holds (offers, work and wrap-up)."""
        ...

    def occupancy(self) -> float:
        """The share of the agent's capacity in use (0..1, the fullest cap or budget)."""
        ...


class Candidate(Protocol):
    """A free agent a policy may pick, as the router sees them now. Read it; only a
    policy that tracks assignments appends to :attr:`recent` (in ``assigned``)."""

    @property
    def id(self) -> str:
        """The agent's id."""
        ...

    @property
    def agent(self) -> Agent:
        """The validated agent (skills, attributes, team ...)."""
        ...

    @property
    def seq(self) -> int:
        """The order in which the agent joined the router (ties break by it)."""
        ...

    @property
    def idle_since(self) -> float:
        """When the agent's load last changed."""
        ...

    @property
    def load(self) -> CandidateLoad:
        """The agent's load."""
        ...

    @property
    def skills_by_channel(self) -> Mapping[str, Mapping[str, int]]:
        """The skills that count per channel (per-channel overrides applied), as computed."""
        ...

    @property
    def recent(self) -> deque[float]:
        """Times of the agent's recent assignments (kept by fairness policies)."""
        ...


class CandidatePool(Protocol):
    """The step's pool the candidates come from: its channel and the skills it reads."""

    @property
    def channel(self) -> str:
        """The channel of the work."""
        ...

    @property
    def skill_names(self) -> tuple[str, ...]:
        """The skills the step's target reads (``skills.billing`` → ``billing``)."""
        ...


_C = TypeVar("_C", bound=Candidate)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError("selection", [ErrorDetail([field], message)])


class SelectionPolicy:
    """Base of the policies. ``choose`` picks among candidates (free, matching agents in
    join order); ``indexed`` policies expose a per-agent ``key`` that never decreases
    while the agent is unchanged, which lets the router use a heap instead."""

    name = "policy"
    indexed = False
    #: True when ``key`` is the agent's idle-since time (the router reads it directly).
    keys_by_idle_time = False
    #: Declared capabilities. ``gates``: :meth:`admits` may refuse an agent (the router
    #: asks it, and :meth:`readmits_at`, only then). ``tracks_assignments``:
    #: :meth:`assigned` wants to hear of every assignment. A subclass that overrides
    #: those methods without declaring the flag gets it set when the class is made.
    gates: ClassVar[bool] = False
    tracks_assignments: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "gates" not in cls.__dict__ and cls.admits is not SelectionPolicy.admits:
            cls.gates = True
        if (
            "tracks_assignments" not in cls.__dict__
            and cls.assigned is not SelectionPolicy.assigned
        ):
            cls.tracks_assignments = True

    def key(self, agent: Candidate, pool: CandidatePool) -> Any:
        """Smaller is better; the default prefers the agent idle the longest."""
        return agent.idle_since

    def choose(
        self, interaction: Interaction, candidates: Sequence[_C], pool: CandidatePool, now: float
    ) -> _C | None:
        """The agent to get ``interaction`` (None leaves it waiting)."""
        if not candidates:
            return None
        return min(candidates, key=lambda a: (self.key(a, pool), a.seq))

    def score(self, agent: Candidate, pool: CandidatePool, now: float) -> float:
        """A number for ``explain``: larger is better."""
        return now - agent.idle_since

    def admits(self, agent: Candidate, now: float) -> bool:
        """False while the agent must not get more work under this policy."""
        return True

    def readmits_at(self, agent: Candidate, now: float) -> float | None:
        """When an agent refused by :meth:`admits` may take work again."""
        return None

    def assigned(self, agent: Candidate, now: float) -> None:
        """Told after every assignment."""

    def state(self) -> dict[str, Any]:
        """JSON-able state that must survive snapshot/restore."""
        return {}

    def restore_state(self, data: Mapping[str, Any]) -> None:
        """Take back :meth:`state`."""

    def bind(self, rng: random.Random) -> None:
        """Receive the router's random generator (used when the policy has none)."""

    def config(self) -> dict[str, Any] | None:
        """How to build this policy again (name and options), or None for callables."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _LongestIdle(SelectionPolicy):
    name = "longest_idle"
    indexed = True
    keys_by_idle_time = True


class _RoundRobin(SelectionPolicy):
    """Rotate over agents in join order, starting after the one assigned last."""

    tracks_assignments = True

    name = "round_robin"

    def __init__(self) -> None:
        self.last_seq = -1

    def choose(
        self, interaction: Interaction, candidates: Sequence[_C], pool: CandidatePool, now: float
    ) -> _C | None:
        if not candidates:
            return None
        after = [a for a in candidates if a.seq > self.last_seq]
        return min(after or candidates, key=lambda a: a.seq)

    def score(self, agent: Candidate, pool: CandidatePool, now: float) -> float:
        return float(-((agent.seq - self.last_seq - 1) % (1 << 31)))

    def assigned(self, agent: Candidate, now: float) -> None:
        self.last_seq = agent.seq

    def state(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq}

    def restore_state(self, data: Mapping[str, Any]) -> None:
        self.last_seq = int(data.get("last_seq", -1))


class _LeastOccupied(SelectionPolicy):
    """Fewest items held (absolute) or lowest share of capacity used (``percent``)."""

    name = "least_occupied"

    def __init__(self, percent: bool) -> None:
        self.percent = percent

    def key(self, agent: Candidate, pool: CandidatePool) -> Any:
        load = agent.load
        used = load.occupancy() if self.percent else float(load.active)
        return (used, agent.idle_since)

    def score(self, agent: Candidate, pool: CandidatePool, now: float) -> float:
        load = agent.load
        return -(load.occupancy() if self.percent else float(load.active))

    def config(self) -> dict[str, Any] | None:
        return {"name": self.name, "percent": self.percent}

    def __repr__(self) -> str:
        return f"least_occupied(percent={self.percent})"


class _MostSkilled(SelectionPolicy):
    """Highest proficiency in the skills the step's target reads; then longest idle."""

    name = "most_skilled"
    indexed = True

    def key(self, agent: Candidate, pool: CandidatePool) -> Any:
        skills = agent.skills_by_channel.get(pool.channel, agent.agent.skills)
        return (-sum(skills.get(name, 0) for name in pool.skill_names), agent.idle_since)

    def score(self, agent: Candidate, pool: CandidatePool, now: float) -> float:
        skills = agent.skills_by_channel.get(pool.channel, agent.agent.skills)
        return float(sum(skills.get(name, 0) for name in pool.skill_names))


class _FewestRecent(SelectionPolicy):
    """At most ``limit`` assignments per agent within ``window`` seconds; among the
    agents under the cap, the one with the fewest, then the longest idle."""

    gates = True
    tracks_assignments = True

    name = "fewest_recent"

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window

    def _count(self, agent: Candidate, now: float) -> int:
        recent = agent.recent
        horizon = now - self.window
        while recent and recent[0] <= horizon:
            recent.popleft()
        return len(recent)

    def choose(
        self, interaction: Interaction, candidates: Sequence[_C], pool: CandidatePool, now: float
    ) -> _C | None:
        best: _C | None = None
        best_key: tuple[int, float, int] | None = None
        for agent in candidates:
            count = self._count(agent, now)
            if count >= self.limit:
                continue
            key = (count, agent.idle_since, agent.seq)
            if best_key is None or key < best_key:
                best, best_key = agent, key
        return best

    def score(self, agent: Candidate, pool: CandidatePool, now: float) -> float:
        return float(self.limit - self._count(agent, now))

    def admits(self, agent: Candidate, now: float) -> bool:
        return self._count(agent, now) < self.limit

    def readmits_at(self, agent: Candidate, now: float) -> float | None:
        if self._count(agent, now) < self.limit:
            return now
        return agent.recent[len(agent.recent) - self.limit] + self.window

    def assigned(self, agent: Candidate, now: float) -> None:
        agent.recent.append(now)

    def config(self) -> dict[str, Any] | None:
        return {"name": self.name, "limit": self.limit, "window": self.window}

    def __repr__(self) -> str:
        return f"fewest_recent(limit={self.limit}, window={self.window})"


class _WeightedRandom(SelectionPolicy):
    """Random, in proportion to each agent's weight, from an injected ``random.Random``."""

    name = "weighted_random"

    def __init__(self, weight: str | Callable[[Agent], float], rng: random.Random | None) -> None:
        self.weight = weight
        self.rng = rng

    def bind(self, rng: random.Random) -> None:
        if self.rng is None:
            self.rng = rng

    def weight_of(self, agent: Agent) -> float:
        """The agent's weight (attribute ``weight`` by default; missing means 1)."""
        if callable(self.weight):
            value: Any = self.weight(agent)
        else:
            value = agent.attributes.get(self.weight, 1.0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return 0.0
        return float(value)

    def choose(
        self, interaction: Interaction, candidates: Sequence[_C], pool: CandidatePool, now: float
    ) -> _C | None:
        weights = [self.weight_of(a.agent) for a in candidates]
        total = sum(weights)
        if not candidates or total <= 0:
            return None
        assert self.rng is not None, "bind() gives the policy the router's generator"
        point = self.rng.random() * total
        for agent, weight in zip(candidates, weights, strict=True):
            point -= weight
            if point < 0 and weight > 0:
                return agent
        return next(
            a for a, w in zip(reversed(candidates), reversed(weights), strict=True) if w > 0
        )

    def score(self, agent: Candidate, pool: CandidatePool, now: float) -> float:
        return self.weight_of(agent.agent)

    def config(self) -> dict[str, Any] | None:
        return {"name": self.name, "weight": self.weight} if isinstance(self.weight, str) else None

    def state(self) -> dict[str, Any]:
        if self.rng is None:
            return {}
        version, internal, gauss = self.rng.getstate()
        return {"rng": [version, list(internal), gauss]}

    def restore_state(self, data: Mapping[str, Any]) -> None:
        saved = data.get("rng")
        if saved is not None:
            if self.rng is None:
                self.rng = random.Random()
            self.rng.setstate((saved[0], tuple(saved[1]), saved[2]))


class _Callable(SelectionPolicy):
    name = "callable"

    def __init__(self, function: ChooseFunction) -> None:
        self.function = function

    def choose(
        self, interaction: Interaction, candidates: Sequence[_C], pool: CandidatePool, now: float
    ) -> _C | None:
        if not candidates:
            return None
        by_id = {a.id: a for a in candidates}
        picked = self.function(interaction, [a.agent for a in candidates])
        if picked is None:
            return None
        picked_id = picked if isinstance(picked, str) else getattr(picked, "id", None)
        if not isinstance(picked_id, str) or picked_id not in by_id:
            raise _invalid(
                "selection",
                f"the selection callable returned {picked!r}, not one of the candidates",
            )
        return by_id[picked_id]

    def config(self) -> dict[str, Any] | None:
        return None

    def __repr__(self) -> str:
        return f"from_callable({self.function!r})"


def longest_idle() -> SelectionPolicy:
    """The agent free for the longest time since their last change of load (default)."""
    return _LongestIdle()


def round_robin() -> SelectionPolicy:
    """Agents in turn, in join order; the position survives snapshot/restore and
    agents joining or leaving."""
    return _RoundRobin()


def least_occupied(*, percent: bool = False) -> SelectionPolicy:
    """The agent holding the fewest items, or with ``percent=True`` the lowest share of
    their capacity (the fullest cap or budget)."""
    return _LeastOccupied(percent)


def most_skilled() -> SelectionPolicy:
    """The agent with the highest proficiency in the skills the current step reads."""
    return _MostSkilled()


def fewest_recent(limit: int, window: float) -> SelectionPolicy:
    """A fairness cap: at most ``limit`` assignments per agent per ``window`` seconds."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise _invalid("limit", f"must be an int >= 1, not {limit!r}")
    if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
        raise _invalid("window", f"must be a positive number of seconds, not {window!r}")
    return _FewestRecent(limit, float(window))


def weighted_random(
    *, weight: str | Callable[[Agent], float] = "weight", rng: random.Random | None = None
) -> SelectionPolicy:
    """Random choice weighted by ``agent.attributes[weight]`` (or a callable of the agent).

    Pass a seeded ``random.Random``; without one the router's ``rng`` is used.
    """
    if rng is not None and not isinstance(rng, random.Random):
        raise _invalid("rng", "must be a random.Random")
    return _WeightedRandom(weight, rng)


def from_callable(function: ChooseFunction) -> SelectionPolicy:
    """Wrap ``(interaction, candidates) -> agent | id | None`` as a policy."""
    if not callable(function):
        raise _invalid("selection", f"{function!r} is not callable")
    return _Callable(function)


_BY_NAME: dict[str, Callable[[], SelectionPolicy]] = {
    "longest_idle": longest_idle,
    "round_robin": round_robin,
    "least_occupied": least_occupied,
    "most_skilled": most_skilled,
    "weighted_random": weighted_random,
}


def from_config(config: Mapping[str, Any]) -> SelectionPolicy:
    """A policy from :meth:`SelectionPolicy.config` data."""
    options = dict(config)
    name = options.pop("name", None)
    if name == "fewest_recent":
        return fewest_recent(**options)
    if name == "least_occupied":
        return least_occupied(**options)
    if name == "weighted_random":
        return weighted_random(**options)
    return resolve(str(name))


def resolve(selection: str | SelectionPolicy | ChooseFunction) -> SelectionPolicy:
    """A policy from a name, a policy object or a callable."""
    if isinstance(selection, SelectionPolicy):
        return selection
    if isinstance(selection, str):
        try:
            return _BY_NAME[selection]()
        except KeyError:
            known = ", ".join(sorted(_BY_NAME))
            raise _invalid(
                "selection",
                f"unknown policy {selection!r}; known: {known} (fewest_recent needs "
                "om.selection.fewest_recent(limit, window))",
            ) from None
    if callable(selection):
        return from_callable(selection)
    raise _invalid("selection", f"expected a name, a policy or a callable, not {selection!r}")
