"""The router's blending engine: rule state, each agent's blending gate, pausing and
resuming interrupted work, and the live figures conditions read.

The router asks one question before any delivery — may this agent take one more item of
channel X now? — through the load's ``can_take``
(:meth:`omnirouter.dispatch.capacity.CapacityLoad.can_take`). With blending on, every
agent's load carries a :class:`_Gate` that answers it from the capacity profile *and*
the rules that are on: a denying rule says no; an offering rule answers as if the
agent's interruptible work were paused (it is paused when the work is given); work
paused by a rule counts as if resumed for everything else, so the agent goes back to it
before taking anything new. Answers stay cached in the load until it
changes, or until a rule switches (then every cache is dropped).

Rules are re-evaluated at the end of every router operation (:meth:`Blender.settle`);
when one switches, the agents it concerns are offered waiting work one at a time, with
the rules re-evaluated after each, so "more than three calls waiting" stops pulling
agents as soon as three are left.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from omnirouter.dispatch.lines import Tally
from omnirouter.errors import ErrorDetail, ExpressionError, ValidationError
from omnirouter.model import ChannelRegistry, InteractionState
from omnirouter.routing.blending import (
    BlendingPolicy,
    BlendRule,
    Invitation,
    InviteRule,
    rule_from_json,
    unknown_names,
)
from omnirouter.routing.expressions import Expression, compile_expression

if TYPE_CHECKING:
    from omnirouter.dispatch.capacity import CapacityLoad
    from omnirouter.routing._agents import AgentState
    from omnirouter.routing._work import Work
    from omnirouter.routing.router import Router

__all__ = ["Blender"]

_ASSIGNED: Final = InteractionState.ASSIGNED
_PAUSED: Final = InteractionState.PAUSED
_QUEUED: Final = InteractionState.QUEUED
_DEFAULT_AT_RISK: Final = 0.8
_TARGET_CACHE_LIMIT: Final = 256


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError("Router", [ErrorDetail([field], message)])


class _Counts(Mapping[str, int]):
    """Items per channel and family; a registered channel the agent does not hold reads 0."""

    __slots__ = ("_counts", "_registry")

    def __init__(self, counts: dict[str, int], registry: ChannelRegistry) -> None:
        self._counts = counts
        self._registry = registry

    def get(self, key: str, default: Any = None) -> Any:
        value = self._counts.get(key)
        if value is not None:
            return value
        return 0 if key in self._registry else default

    def __getitem__(self, key: str) -> int:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return int(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)


def _tally(counts: dict[str, int], channel: str, registry: ChannelRegistry) -> None:
    counts[channel] = counts.get(channel, 0) + 1
    if channel in registry:
        family = registry.family_of(channel)
        if family != channel:
            counts[family] = counts.get(family, 0) + 1


class _AgentEnv:
    """What an ``agents`` condition reads: ``holding``, ``paused`` and the agent's fields."""

    __slots__ = ("_agent", "holding", "id", "paused")

    def __init__(self, state: AgentState, registry: ChannelRegistry) -> None:
        holding: dict[str, int] = {}
        paused: dict[str, int] = {}
        for channel in state.items.values():
            _tally(holding, channel, registry)
        for channel in state.paused.values():
            _tally(holding, channel, registry)
            _tally(paused, channel, registry)
        self._agent = state.agent
        self.id = state.id
        self.holding = _Counts(holding, registry)
        self.paused = _Counts(paused, registry)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agent, name)


class _Figures(Mapping[str, Any]):
    """One live figure per channel (or family), computed when read."""

    __slots__ = ("_read", "_registry")

    def __init__(self, read: Callable[[str], Any], registry: ChannelRegistry) -> None:
        self._read = read
        self._registry = registry

    def get(self, key: str, default: Any = None) -> Any:
        if not isinstance(key, str) or key not in self._registry:
            return default
        return self._read(key)

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in self._registry:
            raise KeyError(key)
        return self._read(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry.names())

    def __len__(self) -> int:
        return len(self._registry)


class _QueueFigures:
    """The live figures of one queue (``queues.<name>.waiting`` …)."""

    __slots__ = ("_live", "_name")

    def __init__(self, live: _Live, name: str) -> None:
        self._live = live
        self._name = name

    @property
    def waiting(self) -> int:
        return self._live.router._queues[self._name].waiting()

    @property
    def longest_wait(self) -> float:
        return self._live.longest(lambda w: w.queue == self._name)

    @property
    def service_level_at_risk(self) -> int:
        return self._live.at_risk(lambda w: w.queue == self._name)

    @property
    def available_agents(self) -> int:
        queue = self._live.router._queues[self._name]
        free: set[str] = set()
        for line in queue.lines.values():
            pool = line.pool
            for agent in pool.members.values():
                if agent.id not in free and agent.can_take(pool.channel):
                    free.add(agent.id)
        return len(free)


class _Queues(Mapping[str, _QueueFigures]):
    __slots__ = ("_live",)

    def __init__(self, live: _Live) -> None:
        self._live = live

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._live.router._queues:
            return _QueueFigures(self._live, key)
        return default

    def __getitem__(self, key: str) -> _QueueFigures:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(self._live.router._queues)

    def __len__(self) -> int:
        return len(self._live.router._queues)


class _Live:
    """The live load of one router, as blending conditions read it (see ``LiveLoad``)."""

    __slots__ = (
        "_families",
        "_family_size",
        "_targets",
        "available_agents",
        "env",
        "functions",
        "longest_wait",
        "now",
        "queues",
        "registry",
        "router",
        "service_level_at_risk",
        "waiting",
    )

    def __init__(self, router: Router) -> None:
        self.router = router
        self.registry = router.channels
        self.now = 0.0
        self._families: dict[str, tuple[str, ...]] = {}
        self._family_size = -1
        self._targets: dict[str, Expression | None] = {}
        self.waiting = _Figures(self._waiting, self.registry)
        self.longest_wait = _Figures(self._longest_of, self.registry)
        self.service_level_at_risk = _Figures(self._at_risk_of, self.registry)
        self.available_agents = _Figures(self._available_of, self.registry)
        self.queues = _Queues(self)
        self.env: dict[str, Any] = {
            "waiting": self.waiting,
            "longest_wait": self.longest_wait,
            "service_level_at_risk": self.service_level_at_risk,
            "available_agents": self.available_agents,
            "queues": self.queues,
        }
        self.functions: dict[str, Callable[..., Any]] = {
            "available": self.available,
            "waiting": self.waiting.get,
            "longest_wait": self.longest_wait.get,
        }

    def members(self, name: str) -> tuple[str, ...]:
        """The channels ``name`` stands for: itself, plus its members when it is a family."""
        registry = self.registry
        if self._family_size != len(registry):
            self._families = {}
            for traits in registry:
                if traits.family is not None:
                    self._families.setdefault(traits.family, (traits.family,))
                    self._families[traits.family] += (traits.name,)
            self._family_size = len(registry)
        return self._families.get(name, (name,))

    def _waiting(self, name: str) -> int:
        tallies = self.router._tallies
        members = self.members(name)
        if len(members) == 1:
            tally = tallies.get(name)
            return 0 if tally is None else tally.waiting
        return sum(tallies[m].waiting for m in members if m in tallies)

    def _waiting_work(self, keep: Callable[[Work], bool]) -> Iterator[Work]:
        for work in self.router._work.values():
            if work.state is _QUEUED and keep(work):
                yield work

    def longest(self, keep: Callable[[Work], bool]) -> float:
        oldest = min((w.enqueued_at for w in self._waiting_work(keep)), default=None)
        return 0.0 if oldest is None else max(0.0, self.now - oldest)

    def at_risk(self, keep: Callable[[Work], bool]) -> int:
        sla = self.router._sla
        now = self.now
        count = 0
        for work in self._waiting_work(keep):
            start = work.submitted_at
            if sla is not None:
                deadline = sla.deadline(work.interaction, work.traits, start)
                fraction = sla.at_risk_fraction
            else:
                deadline = start + work.traits.service_level_target.total_seconds()
                fraction = _DEFAULT_AT_RISK
            if deadline is not None and now >= start + fraction * (deadline - start):
                count += 1
        return count

    def _longest_of(self, name: str) -> float:
        members = self.members(name)
        return self.longest(lambda w: w.interaction.channel in members)

    def _at_risk_of(self, name: str) -> int:
        members = self.members(name)
        return self.at_risk(lambda w: w.interaction.channel in members)

    def _available_of(self, name: str) -> int | None:
        return self.available(name)

    def available(self, channel: str, target: str = "") -> int | None:
        """Present agents with room for one more ``channel`` item who match ``target``.

        An unknown channel or a target that does not compile reads as null.
        """
        if not isinstance(channel, str) or channel not in self.registry:
            return None
        expression: Expression | None = None
        if target:
            if not isinstance(target, str):
                return None
            if target in self._targets:
                expression = self._targets[target]
            else:
                try:
                    expression = compile_expression(target)
                except ExpressionError:
                    expression = None
                if len(self._targets) >= _TARGET_CACHE_LIMIT:
                    self._targets.clear()
                self._targets[target] = expression
            if expression is None:
                return None
        registry = self.registry
        count = 0
        for agent in self.router._agents.values():
            if not agent.present or not agent.load.can_take(channel):
                continue
            if expression is None or expression.matches(agent.view(channel, registry)):
                count += 1
        return count


class _Rule:
    """One blending policy inside one router: its state and its compiled conditions."""

    __slots__ = (
        "_agents",
        "_live",
        "_registry",
        "_until",
        "_when",
        "active",
        "conditional",
        "denies",
        "keep",
        "max_agents",
        "members",
        "name",
        "offers",
        "policy",
        "recheck",
        "timed",
    )

    def __init__(self, policy: Any, live: _Live) -> None:
        self.policy = policy
        self.name: str = policy.name
        self._live = live
        self._registry = live.registry
        self.members: set[str] | None = None
        self._when: Expression | None = None
        self._until: Expression | None = None
        self._agents: Expression | None = None
        if isinstance(policy, BlendRule):
            functions = live.functions
            self._when = compile_expression(policy.when, functions=functions)
            if policy.until is not None:
                self._until = compile_expression(policy.until, functions=functions)
            if policy.agents.strip():
                self._agents = compile_expression(policy.agents, functions=functions)
            self.offers: frozenset[str] = policy.offer
            self.denies: frozenset[str] = policy.deny
            self.conditional = policy.conditional
            self.keep = dict(policy.keep)
            self.max_agents = policy.max_agents
            self.timed = policy.timed
            self.recheck = policy.recheck
        else:
            self.offers = frozenset(policy.offers)
            self.denies = frozenset(policy.denies)
            self.conditional = True
            self.keep = {}
            self.max_agents = None
            self.timed = bool(getattr(policy, "timed", False))
            self.recheck = float(getattr(policy, "recheck", 5.0))
        self.active = not self.conditional

    @property
    def reservation(self) -> bool:
        return bool(self.keep) or self.max_agents is not None

    def static_channels(self) -> frozenset[str] | None:
        """The channels whose waiting counts are all the rule reads, or None when it reads
        more (then it is re-evaluated after every operation)."""
        if self._when is None:
            return None
        expressions = [self._when] if self._until is None else [self._when, self._until]
        channels: set[str] = set()
        for expression in expressions:
            if expression.calls:
                return None
            for path in expression.path_segments:
                if len(path) != 2 or path[0] != "waiting":
                    return None
                channels.add(path[1])
        return frozenset(channels)

    def switched_on(self) -> bool:
        """Whether the rule is on now, given whether it was (hysteresis)."""
        live = self._live
        was = self.active
        if self._when is None:
            return bool(self.policy.active(live, was))
        if was and self._until is not None:
            return not self._until.matches(live.env)
        return self._when.matches(live.env)

    def concerns(self, agent: AgentState) -> bool:
        """Whether the rule's ``agents`` condition holds for ``agent`` (its state aside)."""
        if self._when is None:
            return bool(self.policy.applies_to(_AgentEnv(agent, self._registry)))
        agents = self._agents
        return agents is None or agents.matches(_AgentEnv(agent, self._registry))

    def applies(self, agent: AgentState) -> bool:
        """Whether the rule, being on, concerns ``agent`` now."""
        members = self.members
        if members is not None:
            return agent.id in members
        return self.concerns(agent)

    def to_json(self) -> dict[str, Any] | None:
        policy = self.policy
        return policy.to_json() if isinstance(policy, BlendRule) else None


class _Gate:
    """The blending half of one agent's "may take one more item of channel X now?"."""

    __slots__ = ("blender", "state")

    def __init__(self, blender: Blender, state: AgentState) -> None:
        self.blender = blender
        self.state = state

    def allows(self, channel: str) -> bool:
        """The gated answer (the load caches it)."""
        return self.blender.allows(self.state, channel)

    def why_not(self, load: CapacityLoad, channel: str) -> str | None:
        """Why not, with the rule that says so (None when it may)."""
        return self.blender.why_not(self.state, channel)


class Blender:
    """The blending rules of one router and what they have done (paused work, members)."""

    def __init__(self, router: Router, policies: Iterable[Any]) -> None:
        self.router = router
        self.live = _Live(router)
        registry = router.channels
        self.rules: list[_Rule] = []
        self.invites: list[tuple[InviteRule, Expression]] = []
        names: set[str] = set()
        for index, policy in enumerate(policies):
            if isinstance(policy, Mapping):
                policy = rule_from_json(policy)
            name = getattr(policy, "name", None)
            if not isinstance(name, str) or not name:
                raise _invalid(f"blending.{index}", f"{policy!r} is not a blending rule")
            if name in names:
                raise _invalid(f"blending.{index}.name", f"duplicate rule name {name!r}")
            names.add(name)
            if isinstance(policy, InviteRule):
                self._known(index, "channel", [policy.channel], registry)
                expression = compile_expression(policy.when, functions=self.live.functions)
                self.invites.append((policy, expression))
                continue
            if not isinstance(policy, BlendRule | BlendingPolicy):
                raise _invalid(
                    f"blending.{index}",
                    f"{policy!r} is neither a BlendRule, an InviteRule nor a BlendingPolicy",
                )
            rule = _Rule(policy, self.live)
            if isinstance(policy, BlendRule):
                # A condition reading a channel nobody has could never fire. Queue
                # names are not checked: the router may learn its queues later.
                for field, message in unknown_names(policy, registry.names()):
                    raise _invalid(f"blending.{index}.{field}", message)
            self._known(index, "offer", rule.offers, registry)
            self._known(index, "deny", rule.denies, registry)
            self._known(index, "keep", rule.keep, registry)
            self.rules.append(rule)
        self.conditional = [rule for rule in self.rules if rule.conditional]
        timed = [rule.recheck for rule in self.rules if rule.timed]
        self.recheck_every: float | None = min(timed) if timed else None
        self.recheck_pending = False
        self.offers: dict[str, list[_Rule]] = {}
        self.denies: dict[str, list[_Rule]] = {}
        #: agent id → {work id: rule name} of the work blending paused and will resume.
        self.paused: dict[str, dict[str, str]] = {}
        self.pending: deque[AgentState] = deque()
        # Rules that read only waiting counts give the same answer while those counts stay
        # the same: settle compares them (one list) instead of evaluating the rules.
        watched: set[str] = set()
        self._volatile = False
        for rule in self.conditional:
            channels = rule.static_channels()
            if channels is None:
                self._volatile = True
            else:
                watched |= channels
        tallies = router._tallies
        self._watched = tuple(
            tallies.setdefault(channel, Tally())
            for name in sorted(watched)
            for channel in self.live.members(name)
            if channel in registry
        )
        self._signature: list[int] | None = None
        self._index()

    @staticmethod
    def _known(index: int, field: str, channels: Iterable[str], registry: ChannelRegistry) -> None:
        for channel in channels:
            if channel not in registry:
                raise _invalid(
                    f"blending.{index}.{field}",
                    f"unknown channel {channel!r} (known: {', '.join(registry.names())})",
                )

    def _index(self) -> None:
        offers: dict[str, list[_Rule]] = {}
        denies: dict[str, list[_Rule]] = {}
        live = self.live
        for rule in self.rules:
            if not rule.active:
                continue
            for name in rule.offers:
                for channel in live.members(name):
                    offers.setdefault(channel, []).append(rule)
            for name in rule.denies:
                for channel in live.members(name):
                    denies.setdefault(channel, []).append(rule)
        self.offers = offers
        self.denies = denies

    # ------------------------------------------------------------------ the gate

    def attach(self, agent: AgentState) -> None:
        """Give ``agent``'s load its blending gate."""
        agent.load.set_gate(_Gate(self, agent))

    def _interruptible(self, agent: AgentState) -> list[str]:
        work = self.router._work
        return [
            channel
            for work_id, channel in agent.items.items()
            if (found := work.get(work_id)) is not None
            and found.state is _ASSIGNED
            and found.traits.interruptible
        ]

    def _held(self, agent: AgentState) -> list[str]:
        held = self.paused.get(agent.id)
        if not held:
            return []
        paused = agent.paused
        return [paused[work_id] for work_id in held if work_id in paused]

    def _denial(self, agent: AgentState, channel: str) -> _Rule | None:
        for rule in self.denies.get(channel, ()):
            if rule.applies(agent):
                return rule
        return None

    def _offer(self, agent: AgentState, channel: str) -> _Rule | None:
        for rule in self.offers.get(channel, ()):
            if rule.applies(agent):
                return rule
        return None

    def allows(self, agent: AgentState, channel: str) -> bool:
        """May ``agent`` take one more item of ``channel`` now, rules included?"""
        load = agent.load
        denies = self.denies.get(channel)
        if denies is not None:
            for rule in denies:
                if rule.applies(agent):
                    return False
        offers = self.offers.get(channel)
        if offers is not None:
            for rule in offers:
                if rule.applies(agent):
                    return load.reason(channel, self._interruptible(agent), -1) is None
        if self.paused and agent.id in self.paused:
            held = self._held(agent)
            if held:
                return load.reason(channel, held, 1) is None
        return load.fits(channel)

    def why_not(self, agent: AgentState, channel: str) -> str | None:
        """Why ``agent`` may not take ``channel`` now (None when it may)."""
        load = agent.load
        if not load.allows(channel):
            return load.reason(channel)
        rule = self._denial(agent, channel)
        if rule is not None:
            return f"blending rule {rule.name!r} denies {channel} to this agent now"
        if self._offer(agent, channel) is not None:
            return load.reason(channel, self._interruptible(agent), -1)
        held = self._held(agent)
        if held:
            reason = load.reason(channel, held, 1)
            if reason is not None:
                return f"{reason}, counting {len(held)} paused item(s) that resume first"
            return None
        return load.reason(channel)

    # ------------------------------------------------------------------ pausing and resuming

    def make_room(self, agent: AgentState, channel: str, now: float) -> None:
        """Before ``agent`` is given ``channel`` work: pause interruptible work when an
        offering rule is what lets the work in."""
        if not self.offers:
            return
        self.pending.append(agent)  # holding more may bring it under a rule's `agents`
        load = agent.load
        if load.reason(channel) is None:
            return
        rule = self._offer(agent, channel)
        if rule is None:
            return
        router = self.router
        paused_from: list[str] = []
        for work_id in reversed(list(agent.items)):
            if load.reason(channel) is None:
                break
            work = router._work.get(work_id)
            if work is None or work.state is not _ASSIGNED or not work.traits.interruptible:
                continue
            paused_from.append(agent.items[work_id])
            self._pause(agent, work, rule.name, channel, now)
        if rule.members is not None:
            return  # a reservation announced its agents' switch when it began
        router._emit(
            "blend_switched",
            now,
            None,
            agent.id,
            {"rule": rule.name, "active": True, "to": [channel], "from": sorted(set(paused_from))},
        )

    def _pause(self, agent: AgentState, work: Work, rule: str, channel: str, now: float) -> None:
        self.router._hold_paused(work, agent, now)
        self.paused.setdefault(agent.id, {})[work.id] = rule
        self.router._emit("paused", now, work, agent.id, {"rule": rule, "for": channel})

    def freed(self, agent: AgentState, now: float) -> None:
        """``agent`` found no more work to take: resume what blending paused, when it fits."""
        held = self.paused.get(agent.id)
        if not held:
            return
        router = self.router
        for work_id in list(held):
            channel = agent.paused.get(work_id)
            work = router._work.get(work_id)
            if channel is None or work is None or work.state is not _PAUSED:
                del held[work_id]  # resumed, moved or ended by the host meanwhile
                continue
            if self._denial(agent, channel) is not None or agent.load.reason(channel):
                continue
            rule = held.pop(work_id)
            span = router._unpause(work, agent, now)
            router._emit("resumed", now, work, agent.id, {"rule": rule, "paused_seconds": span})
        if not held:
            self.paused.pop(agent.id, None)

    # ------------------------------------------------------------------ rule state

    def settle(self, now: float) -> None:
        """Re-evaluate the rules after an operation; act on every switch."""
        conditional = self.conditional
        pending = self.pending
        if not pending:
            if not conditional:
                return
            if not self._volatile and self._signature == [t.waiting for t in self._watched]:
                return
        router = self.router
        self.live.now = now
        rounds = 4 * (len(router._agents) + len(self.rules)) + 16
        # A rule may switch and switch back within one operation (on at four calls
        # waiting, off again once one was taken), but no more: rules whose when and
        # until overlap cannot flap without end.
        switches: dict[str, int] = {}
        while rounds > 0:
            rounds -= 1
            flipped = []
            for rule in conditional:
                if switches.get(rule.name, 0) >= 2:
                    continue
                on = rule.switched_on()
                if on != rule.active:
                    rule.active = on
                    flipped.append(rule)
                    switches[rule.name] = switches.get(rule.name, 0) + 1
            if flipped:
                self._switched(flipped, now)
            if not pending:
                break
            agent = pending.popleft()
            if not agent.removed and agent.present:
                router._agent_freed(agent, now)
        pending.clear()
        if not self._volatile:
            self._signature = [t.waiting for t in self._watched]
        self._arm_recheck(now)

    def _arm_recheck(self, now: float) -> None:
        every = self.recheck_every
        if every is None or self.recheck_pending:
            return
        if any(tally.waiting for tally in self.router._tallies.values()):
            self.router._timers.set(now + every, "blend", "", 0)
            self.recheck_pending = True

    def _switched(self, flipped: list[_Rule], now: float) -> None:
        router = self.router
        agents = router._agents
        candidates: dict[str, AgentState] = {}
        for rule in flipped:
            former: set[str] = set()
            if rule.reservation:
                if rule.active:
                    rule.members = self._choose(rule)
                else:
                    former = rule.members or set()
                    rule.members = None
            router._emit(
                "blend_switched",
                now,
                None,
                None,
                {
                    "rule": rule.name,
                    "active": rule.active,
                    "to": sorted(rule.offers),
                    "from": sorted(rule.denies),
                },
            )
            moved = rule.members if rule.active else former
            for agent_id in sorted(moved or (), key=lambda a: agents[a].seq if a in agents else 0):
                router._emit(
                    "blend_switched",
                    now,
                    None,
                    agent_id,
                    {
                        "rule": rule.name,
                        "active": rule.active,
                        "to": sorted(rule.offers if rule.active else rule.denies),
                        "from": sorted(rule.denies if rule.active else rule.offers),
                    },
                )
            widens = (rule.active and rule.offers) or (not rule.active and rule.denies)
            if widens:
                for agent in agents.values():
                    if agent.present and (agent.id in former if former else rule.applies(agent)):
                        candidates[agent.id] = agent
        self._index()
        for agent in agents.values():
            agent.load.forget()
        if not self.offers:
            self.pending.clear()
        for agent in sorted(candidates.values(), key=lambda a: a.seq):
            self.pending.append(agent)

    def _choose(self, rule: _Rule) -> set[str]:
        """The agents a reservation moves: present agents it concerns, in join order,
        leaving ``keep`` agents on each kept channel and at most ``max_agents``."""
        agents = [a for a in self.router._agents.values() if a.present]
        room = {
            channel: sum(1 for a in agents if a.load.allows(channel)) - count
            for channel, count in rule.keep.items()
        }
        chosen: set[str] = set()
        for agent in agents:
            if rule.max_agents is not None and len(chosen) >= rule.max_agents:
                break
            if not rule.concerns(agent):
                continue
            serves = [channel for channel in room if agent.load.allows(channel)]
            if any(room[channel] <= 0 for channel in serves):
                continue
            for channel in serves:
                room[channel] -= 1
            chosen.add(agent.id)
        return chosen

    def recheck_due(self) -> None:
        """The re-check timer fired (the rules are evaluated at the end of the tick)."""
        self.recheck_pending = False

    # ------------------------------------------------------------------ invitations

    def should_invite(self, facts: Mapping[str, Any], now: float) -> Invitation:
        """The first invite rule whose condition holds for ``facts``, or no invitation."""
        self.live.now = now
        for rule, expression in self.invites:
            if expression.matches(facts):
                return Invitation(True, rule.name, rule.channel)
        return Invitation(False)

    # ------------------------------------------------------------------ snapshot

    def to_json(self) -> dict[str, Any]:
        """The rules (built-in ones as data) and what they have done, as plain data."""
        agents = self.router._agents
        paused = {}
        for agent_id, held in self.paused.items():
            agent = agents.get(agent_id)
            live = {w: r for w, r in held.items() if agent is not None and w in agent.paused}
            if live:
                paused[agent_id] = dict(sorted(live.items()))
        return {
            "rules": [rule.to_json() for rule in self.rules]
            + [invite.to_json() for invite, _ in self.invites],
            "active": sorted(rule.name for rule in self.rules if rule.active),
            "members": {
                rule.name: sorted(rule.members) for rule in self.rules if rule.members is not None
            },
            "paused": paused,
            "recheck_pending": self.recheck_pending,
            "signature": self._signature,
        }

    def load_state(self, data: Mapping[str, Any]) -> None:
        """Take over the state saved by :meth:`to_json` (the rules are already in place)."""
        active = set(data.get("active", ()))
        members = data.get("members", {})
        for rule in self.rules:
            rule.active = rule.name in active
            found = members.get(rule.name)
            rule.members = None if found is None else set(found)
        self.paused = {agent: dict(held) for agent, held in data.get("paused", {}).items()}
        self.recheck_pending = bool(data.get("recheck_pending", False))
        signature = data.get("signature")
        self._signature = None if signature is None else [int(n) for n in signature]
        self._index()


def policies_from_snapshot(data: Mapping[str, Any]) -> list[Any]:
    """The built-in rules saved in a snapshot; a custom policy there must be passed again."""
    rules = data.get("rules", [])
    if any(item is None for item in rules):
        raise _invalid(
            "blending", "the snapshot used a custom blending policy: pass blending= again"
        )
    return [rule_from_json(item) for item in rules]
