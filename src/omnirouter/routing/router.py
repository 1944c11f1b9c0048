"""The Router: one universal queue, targets that widen over time, agents, offers, events.

The router never reads the wall clock: every operation asks the injected ``clock`` for
the time (``tick(now=...)`` may pass it). Every public operation that changes state
runs through :meth:`Router._run`, which holds the lock, fires due timers first, tells
command listeners (a journal) the operation's name, JSON-able arguments and time, and
delivers the events it produced to subscribers, in order, once the state is consistent.

:class:`Router` is built in layers, each in its own private module and each calling only
what lies below it: ``_router_core`` (state, queues, events out, pools and lines) ←
``_router_flow`` (work between lines and agents) ← ``_router_calls`` (the one path in,
timers) ← ``_router_lifecycle`` (agents, submit, offers, completion) ←
``_router_operations`` (pause, abandon, transfer, pull, priority, split). This module
adds the public class: construction with its add-ons, reading, snapshot and recovery,
live figures, chat invitations, portfolio watches and replaying recorded calls.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from omnirouter.errors import (
    CapacityExceededError,
    InvalidStateError,
    UnknownInteractionError,
    UnknownQueueError,
)
from omnirouter.model import (
    Agent,
    ChannelRegistry,
    Contact,
    Interaction,
    InteractionState,
    ManualPriority,
)
from omnirouter.routing._router_core import (
    _WAITING,
    PriorityStrategy,
    S,
    ServiceLevelHook,
    _invalid,
)
from omnirouter.routing._router_core import (
    manual_priority_head_start as manual_priority_head_start,  # importable from here, as before
)
from omnirouter.routing._router_lifecycle import AgentStatus, _RouterLifecycle
from omnirouter.routing._work import Work
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.ops.journal import Journal
    from omnirouter.ops.portfolio import PortfolioNotice
    from omnirouter.ops.stats import RouterStats
    from omnirouter.routing.blending import Invitation

__all__ = ["AgentStatus", "PriorityStrategy", "Router", "ServiceLevelHook"]

_OPEN_FOR_TRANSFER: Final = frozenset({S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED})
_ABANDONABLE: Final = frozenset({S.SCHEDULED, S.QUEUED, S.OFFERED})


class Router(_RouterLifecycle):
    """The routing core: submit work, add agents, react to events.

    ``queues`` are tried in order (the first whose ``accepts`` matches takes the
    work); without any, one queue named ``default`` takes everything. ``selection``
    is a policy name, a policy from :mod:`omnirouter.selection` or a callable
    ``(interaction, candidates) -> agent``. ``offer_timeout`` (seconds) switches from
    direct assignment to offers that must be accepted. ``priority`` is the priority
    hook, ``sla`` the service-level hook, ``rng`` the random generator for random
    policies, ``four_eyes`` the review rule for public replies. ``blending`` lists
    blending rules and invite rules (:mod:`omnirouter.blending`, ``docs/blending.md``).
    ``keep_finished`` bounds how many finished interactions the router remembers
    (default: all): :meth:`state_of` answers for about that many of the latest, older
    ids are forgotten (unknown, and may be submitted again), so a long run stays flat.
    """

    def __init__(
        self,
        queues: Iterable[Queue] = (),
        selection: Any = "longest_idle",
        clock: Callable[[], float] = time.time,
        channels: ChannelRegistry | None = None,
        offer_timeout: float | None = None,
        priority: PriorityStrategy | None = None,
        sla: ServiceLevelHook | None = None,
        rng: random.Random | None = None,
        *,
        four_eyes: FourEyes | None = None,
        journal: Journal | None = None,
        blending: Iterable[Any] = (),
        keep_finished: int | None = None,
    ) -> None:
        super().__init__(
            queues,
            selection,
            clock,
            channels,
            offer_timeout,
            priority,
            sla,
            rng,
            four_eyes=four_eyes,
            keep_finished=keep_finished,
        )
        rules = list(blending)
        if rules:
            from omnirouter.routing._blend_engine import Blender

            self._blending = Blender(self, rules)
        if journal is not None:
            from omnirouter.ops.writer import attach_journal

            attach_journal(self, journal)

    # ------------------------------------------------------------------ pause and resume

    def pause(self, interaction_id: str) -> None:
        """Interrupt assigned work on an interruptible channel (an e-mail, when calls
        pile up): the agent keeps it, but it no longer counts against their capacity."""
        self._run(
            "pause",
            lambda: {"interaction_id": interaction_id},
            lambda now: self._pause(interaction_id, now),
        )

    def _pause(self, interaction_id: str, now: float) -> None:
        work = self._active(interaction_id)
        if work.state is not S.ASSIGNED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not assigned")
        if not work.traits.interruptible:
            raise InvalidStateError(
                f"{interaction_id!r} is on {work.interaction.channel}, which is not interruptible"
            )
        agent = self._agents[work.agent or ""]
        channel = agent.items.pop(work.id)
        agent.load.remove(channel)
        agent.paused[work.id] = channel
        work.state = S.PAUSED
        work.paused_at = now
        self._emit("paused", now, work, agent.id)
        self._agent_freed(agent, now)

    def resume(self, interaction_id: str) -> None:
        """Continue paused work; it counts against the agent's capacity again."""
        self._run(
            "resume",
            lambda: {"interaction_id": interaction_id},
            lambda now: self._resume(interaction_id, now),
        )

    def _resume(self, interaction_id: str, now: float) -> None:
        work = self._active(interaction_id)
        if work.state is not S.PAUSED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not paused")
        agent = self._agents[work.agent or ""]
        channel = work.interaction.channel
        reason = agent.load.why_not(channel)
        if reason is not None:
            raise CapacityExceededError(
                f"agent {agent.id!r} cannot resume {interaction_id!r}: {reason}"
            )
        del agent.paused[work.id]
        agent.load.add(channel)
        agent.items[work.id] = channel
        work.state = S.ASSIGNED
        span = 0.0 if work.paused_at is None else max(0.0, now - work.paused_at)
        work.paused_seconds += span
        work.paused_at = None
        self._emit("resumed", now, work, agent.id, {"paused_seconds": span})

    # ------------------------------------------------------------------ other operations

    def abandon(self, interaction_id: str) -> None:
        """The customer gave up before an agent took the work."""
        self._run(
            "abandon",
            lambda: {"interaction_id": interaction_id},
            lambda now: self._end(interaction_id, now, S.ABANDONED),
        )

    def cancel(self, interaction_id: str) -> None:
        """The host withdraws the work, whatever its state (open children are cancelled too)."""
        self._run(
            "cancel",
            lambda: {"interaction_id": interaction_id},
            lambda now: self._end(interaction_id, now, S.CANCELLED),
        )

    def _end(self, interaction_id: str, now: float, state: S) -> None:
        work = self._active(interaction_id)
        if state is S.ABANDONED and work.state not in _ABANDONABLE:
            raise InvalidStateError(
                f"{interaction_id!r} is {work.state.value}: only scheduled, queued or offered "
                "work can be abandoned (complete or cancel assigned work)"
            )
        open_children = [c for c in work.children if c in self._work]
        if open_children:
            work.state = state  # so that the children's ends do not finish the parent
            for child_id in open_children:
                self._end(child_id, now, S.CANCELLED)
        agent = self._detach(work, now)
        self._finish(work, state, now, agent.id if agent else None)
        if agent is not None:
            self._agent_freed(agent, now)

    def transfer(
        self, interaction_id: str, *, queue: str | None = None, agent: str | None = None
    ) -> None:
        """Move work to another queue (it keeps its place in the order) or to one agent."""
        self._run(
            "transfer",
            lambda: {"interaction_id": interaction_id, "queue": queue, "agent": agent},
            lambda now: self._transfer(interaction_id, queue, agent, now),
        )

    def _transfer(
        self, interaction_id: str, queue: str | None, agent_id: str | None, now: float
    ) -> None:
        work = self._active(interaction_id)
        if (queue is None) == (agent_id is None):
            raise _invalid("transfer", "queue", "give exactly one of queue= or agent=")
        if work.state not in _OPEN_FOR_TRANSFER:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}: cannot transfer")
        target_queue = None
        target_agent = None
        if queue is not None:
            target_queue = self._queues.get(queue)
            if target_queue is None:
                raise UnknownQueueError(queue, self._queues)
        else:
            target_agent = self._agent(agent_id or "")
            if not target_agent.load.allows(work.interaction.channel):
                raise CapacityExceededError(
                    f"agent {agent_id!r} may not take {work.interaction.channel} work at all"
                )
        previous = self._detach(work, now)
        work.state = _WAITING
        self._emit(
            "transferred",
            now,
            work,
            previous.id if previous else None,
            {"to_queue": queue, "to_agent": agent_id},
        )
        if target_queue is not None:
            self._enter_queue(work, target_queue, now, "requeued")
        elif target_agent is not None:
            if target_agent.can_take(work.interaction.channel):
                self._give(work, target_agent, now, {"transferred": True})
            else:
                work.pinned = target_agent.id
                self._pinned.setdefault(target_agent.id, []).append(work)
        if previous is not None:
            self._agent_freed(previous, now)

    def pull(self, agent_id: str, interaction_id: str | None = None) -> str | None:
        """An agent takes work themselves (R-RT4): the named waiting work (whatever the
        step's target), or the best waiting work they may take. Returns its id or None."""
        return self._run(
            "pull",
            lambda: {"agent_id": agent_id, "interaction_id": interaction_id},
            lambda now: self._pull(agent_id, interaction_id, now),
        )

    def _pull(self, agent_id: str, interaction_id: str | None, now: float) -> str | None:
        agent = self._agent(agent_id)
        if agent.presence == "offline":
            raise InvalidStateError(f"agent {agent_id!r} is offline")
        if interaction_id is None:
            work = self._best_work_for(agent)
            if work is None:
                return None
        else:
            work = self._active(interaction_id)
            if work.state is not _WAITING:
                raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not waiting")
            if work.pinned is not None and work.pinned != agent_id:
                raise InvalidStateError(f"{interaction_id!r} is reserved for agent {work.pinned!r}")
            reason = agent.load.why_not(work.interaction.channel)
            if reason is not None:
                raise CapacityExceededError(
                    f"agent {agent_id!r} cannot take {interaction_id!r}: {reason}"
                )
            if work.pinned is not None:
                self._pinned[agent_id].remove(work)
                work.pinned = None
        self._give(work, agent, now, {"pulled": True})
        return work.id

    def set_priority(self, interaction_id: str, priority: ManualPriority | int | None) -> None:
        """Change the manual priority; waiting work is re-ranked at once."""
        if priority is not None and not isinstance(priority, ManualPriority):
            if isinstance(priority, bool) or not isinstance(priority, int):
                raise _invalid(
                    "set_priority", "priority", f"an int or om.ManualPriority, not {priority!r}"
                )
            priority = ManualPriority(value=priority)
        self._run(
            "set_priority",
            lambda: {
                "interaction_id": interaction_id,
                "priority": None if priority is None else priority.value,
            },
            lambda now: self._set_priority(interaction_id, priority, now),
        )

    def _set_priority(
        self, interaction_id: str, priority: ManualPriority | None, now: float
    ) -> None:
        work = self._active(interaction_id)
        work.interaction = work.interaction.model_copy(update={"manual_priority": priority})
        self._rerank(work, now)
        self._emit("priority_changed", now, work, work.agent, {"head_start": work.head_start})

    def set_priority_strategy(self, strategy: PriorityStrategy) -> None:
        """Swap the priority hook; all waiting work is re-ranked."""
        if not callable(strategy):
            raise _invalid("set_priority_strategy", "strategy", f"{strategy!r} is not callable")

        def swap(now: float) -> None:
            self._priority = strategy
            for work in list(self._work.values()):
                self._rerank(work, now)

        self._run("set_priority_strategy", lambda: {"strategy": repr(strategy)}, swap)

    def _rerank(self, work: Work, now: float) -> None:
        work.head_start = float(self._priority(work.interaction, now))
        work.order_key = work.enqueued_at - work.head_start
        line = work.line
        if line is not None:
            line.remove(work)
            line.push(work)

    def split(self, interaction_id: str, parts: Sequence[Interaction]) -> list[str]:
        """One piece of work becomes several (R-RT5): each part is routed on its own
        (keeping the original's place in the order) and the original completes when
        every part has ended. Returns the parts' ids."""
        parts = [
            p if isinstance(p, Interaction) else self._registry.validate(Interaction, p)
            for p in parts
        ]
        return self._run(
            "split",
            lambda: {
                "interaction_id": interaction_id,
                "parts": [p.model_dump(mode="json", exclude_defaults=True) for p in parts],
            },
            lambda now: self._split(interaction_id, parts, now, consult=False),
        )

    def consult(self, interaction_id: str, part: Interaction) -> str:
        """Ask an expert (R-RT5): ``part`` is routed on its own while the agent keeps the
        work; the work cannot complete before the consultation has ended."""
        if not isinstance(part, Interaction):
            part = self._registry.validate(Interaction, part)
        return self._run(
            "consult",
            lambda: {
                "interaction_id": interaction_id,
                "parts": [part.model_dump(mode="json", exclude_defaults=True)],
            },
            lambda now: self._split(interaction_id, [part], now, consult=True),
        )[0]

    def _split(
        self, interaction_id: str, parts: list[Interaction], now: float, consult: bool
    ) -> list[str]:
        work = self._active(interaction_id)
        allowed = {S.ASSIGNED} if consult else _OPEN_FOR_TRANSFER
        if work.state not in allowed:
            raise InvalidStateError(
                f"{interaction_id!r} is {work.state.value}: cannot split or consult"
            )
        if not parts:
            raise _invalid("split", "parts", "give at least one part")
        ids = [p.id for p in parts]
        if len(set(ids)) != len(ids):
            raise _invalid("split", "parts", "part ids must be distinct")
        queues = []
        for part in parts:
            self._check_new(part)
            queues.append(self._queue_for(part, work.customer))
        if not consult:
            agent = self._detach(work, now)
            work.state = S.WAITING_FOR_CHILDREN
            self._emit("split", now, work, agent.id if agent else None, {"parts": ids})
        else:
            agent = None
            self._emit("consulted", now, work, work.agent, {"parts": ids})
        for part, queue in zip(parts, queues, strict=True):
            interaction = (
                part
                if part.parent_id == work.id
                else part.model_copy(update={"parent_id": work.id})
            )
            child = self._new_child(
                work, interaction, queue.spec.name, now, "consult" if consult else "work"
            )
            child.head_start = float(self._priority(interaction, now))
            child.order_key = child.enqueued_at - child.head_start
            self._enter_queue(child, queue, now, "queued")
        if agent is not None:
            self._agent_freed(agent, now)
        return ids

    # ------------------------------------------------------------------ reading

    def state_of(self, interaction_id: str) -> InteractionState:
        """The interaction's state now (the router's record is the truth, not the model's)."""
        with self._lock:
            work = self._work.get(interaction_id)
            if work is not None:
                return work.state
            try:
                return self._finished[interaction_id]
            except KeyError:
                raise UnknownInteractionError(str(interaction_id)) from None

    def agent_of(self, interaction_id: str) -> str | None:
        """The agent holding (or offered) the interaction now, or None."""
        with self._lock:
            work = self._work.get(interaction_id)
            if work is None:
                self.state_of(interaction_id)
                return None
            return work.agent

    def waiting(self, queue: str | None = None) -> list[str]:
        """Ids of the work waiting (in one queue, or everywhere), best first."""
        with self._lock:
            if queue is not None and queue not in self._queues:
                raise UnknownQueueError(queue, self._queues)
            found = [
                w
                for w in self._work.values()
                if w.state is _WAITING and (queue is None or w.queue == queue)
            ]
            found.sort(key=lambda w: (w.order_key, w.seq))
            return [w.id for w in found]

    def explain(self, interaction_id: str) -> dict[str, Any]:
        """Why the work is where it is: queue and step, the candidates with their scores,
        and for every other agent why they were excluded (presence, channel, capacity,
        skill, language, target, declined, fairness)."""
        from omnirouter.routing._explain import explain

        with self._lock:
            return explain(self, interaction_id)

    # ------------------------------------------------------------------ snapshot and recovery

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain JSON-able data (see :meth:`restore`)."""
        from omnirouter.routing._snapshot import snapshot

        with self._lock:
            return snapshot(self)

    @classmethod
    def restore(
        cls,
        data: Mapping[str, Any],
        *,
        queues: Iterable[Queue] | None = None,
        selection: Any = None,
        clock: Callable[[], float] = time.time,
        channels: ChannelRegistry | None = None,
        priority: PriorityStrategy | None = None,
        sla: ServiceLevelHook | None = None,
        rng: random.Random | None = None,
        four_eyes: FourEyes | None = None,
        blending: Iterable[Any] | None = None,
    ) -> Router:
        """A router that continues exactly where the snapshot ``data`` stopped.

        Queues, offer timeout, channels, the built-in selection policies and built-in
        blending rules come from the snapshot; hooks and callables (priority, SLA, a
        callable policy, the four-eyes rule, custom blending policies, the clock) must
        be passed again.
        """
        from omnirouter.routing._snapshot import restore

        return restore(
            cls,
            data,
            queues=queues,
            selection=selection,
            clock=clock,
            channels=channels,
            priority=priority,
            sla=sla,
            rng=rng,
            four_eyes=four_eyes,
            blending=blending,
        )

    @classmethod
    def recover(
        cls,
        journal: Journal,
        *,
        queues: Iterable[Queue] | None = None,
        selection: Any = None,
        clock: Callable[[], float] = time.time,
        channels: ChannelRegistry | None = None,
        priority: PriorityStrategy | None = None,
        sla: ServiceLevelHook | None = None,
        rng: random.Random | None = None,
        four_eyes: FourEyes | None = None,
        checkpoint: bool = True,
        blending: Iterable[Any] | None = None,
    ) -> Router:
        """The router exactly as the journal left it (after a crash): its latest snapshot
        plus every command recorded after it, replayed at their recorded times. The
        router keeps writing to ``journal``; hooks are passed again as for :meth:`restore`
        (``blending``: the custom blending policies, or all rules to replace the
        snapshot's built-in ones).
        """
        from omnirouter.ops.recovery import recover

        return recover(
            cls,
            journal,
            queues=queues,
            selection=selection,
            clock=clock,
            channels=channels,
            priority=priority,
            sla=sla,
            rng=rng,
            four_eyes=four_eyes,
            checkpoint=checkpoint,
            blending=blending,
        )

    # ------------------------------------------------------------------ add-ons

    def should_invite(self, visitor: Mapping[str, Any], now: float | None = None) -> Invitation:
        """Whether to invite a web visitor to a chat (R-RT6): the first
        :class:`~omnirouter.blending.InviteRule` of ``blending=`` whose condition holds for
        the visitor's facts and the live load, or an invitation that is not made. Reads
        only; ``now`` defaults to the clock."""
        if not isinstance(visitor, Mapping):
            raise _invalid("should_invite", "visitor", f"must be a mapping, not {visitor!r}")
        with self._lock:
            blending = self._blending
            if blending is None or not blending.invites:
                raise InvalidStateError(
                    "no invite rules: pass om.blending.InviteRule(...) in Router(blending=[...])"
                )
            return blending.should_invite(visitor, self._clock() if now is None else now)

    def stats(self, now: float | None = None) -> RouterStats:
        """Live figures (R-MO1): per channel and queue, agent, team and reason of contact.

        Counters (handled, service level so far today) count from the first call.
        """
        from omnirouter.ops.stats import live_stats

        return live_stats(self, now)

    def watch_portfolio(
        self, advisor_id: str, callback: Callable[[PortfolioNotice], object]
    ) -> Callable[[], None]:
        """Tell ``callback`` every event of every customer in the advisor's portfolio,
        on any channel, and those of advisors they back up while those are away
        (R-MO2). Returns a function that stops the watch."""
        from omnirouter.ops.portfolio import watch_portfolio

        return watch_portfolio(self, advisor_id, callback)

    # ------------------------------------------------------------------ replaying recorded calls

    def execute(self, name: str, arguments: Mapping[str, Any]) -> Any:
        """Repeat a recorded call: ``name`` and ``arguments`` as a command listener saw them."""
        args = dict(arguments)
        if name == "submit":
            interaction = self._registry.validate(Interaction, args["interaction"])
            customer = args.get("customer")
            return self.submit(
                interaction, customer=None if customer is None else Contact.model_validate(customer)
            )
        if name == "add_agent":
            return self.add_agent(self._registry.validate(Agent, args["agent"]))
        if name in ("split", "consult"):
            parts = [self._registry.validate(Interaction, p) for p in args.pop("parts")]
            if name == "consult":
                return self.consult(args["interaction_id"], parts[0])
            return self.split(args["interaction_id"], parts)
        if name not in _REPLAYABLE:
            raise _invalid("execute", "name", f"unknown command {name!r}")
        return getattr(self, name)(**args)


_REPLAYABLE: Final = frozenset(
    {
        "tick",
        "remove_agent",
        "set_presence",
        "accept",
        "decline",
        "complete",
        "abandon",
        "cancel",
        "transfer",
        "pull",
        "set_priority",
        "pause",
        "resume",
    }
)
