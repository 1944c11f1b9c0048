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
adds the public class: construction with blending, reading, snapshot and restore, chat
invitations and replaying recorded calls. ``om.Router`` (``omnirouter._facade``) adds the
operations conveniences (a journal, recovery, live figures, portfolio watches); the
routing core itself never imports ``omnirouter.ops``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from omnirouter.errors import InvalidStateError, UnknownInteractionError, UnknownQueueError
from omnirouter.model import Agent, ChannelRegistry, Contact, Interaction, InteractionState
from omnirouter.routing._router_core import (
    _WAITING,
    PriorityStrategy,
    ServiceLevelHook,
    _invalid,
    checked_time,
)
from omnirouter.routing._router_core import (
    manual_priority_head_start as manual_priority_head_start,  # importable from here, as before
)
from omnirouter.routing._router_lifecycle import AgentStatus
from omnirouter.routing._router_operations import _RouterOperations
from omnirouter.routing.commands import COMMANDS
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.routing.blending import Invitation

__all__ = ["AgentStatus", "PriorityStrategy", "Router", "ServiceLevelHook"]

# Public names defined with the layer that uses them; users meet them here.
AgentStatus.__module__ = __name__
ServiceLevelHook.__module__ = __name__


class Router(_RouterOperations):
    """The universal queue: submit work, add agents, and the router gives each piece of
    work to the best-suited free agent, telling every change as an :class:`Event`.

    Every operation is thread-safe (one re-entrant lock) and either succeeds or raises
    an :class:`~omnirouter.OmnirouterError` having changed nothing. This is the routing
    core's class; ``om.Router`` adds ``journal=``, ``recover``, ``stats`` and
    ``watch_portfolio``.

    Args:
        queues: Tried in order; the first whose ``accepts`` matches takes the work.
            Without any, one queue named ``default`` takes everything.
        selection: How to pick among free matching agents: a policy name
            (``"longest_idle"``, ``"round_robin"`` …), a policy from
            :mod:`omnirouter.selection`, or a callable ``(interaction, candidates) ->
            agent``.
        clock: Where the router reads the time (epoch seconds); ``time.time`` in
            production, a :class:`~omnirouter.testing.ManualClock` in tests.
        channels: The channel registry (default: the built-in channels).
        offer_timeout: Seconds an agent has to :meth:`accept` an offer. Without it work
            is assigned directly.
        priority: The priority hook, ``(interaction, now) -> seconds of head start``,
            e.g. a :class:`~omnirouter.PriorityScorer` (default: manual priority × 60 s).
        sla: The service-level hook (e.g. a :class:`~omnirouter.ServiceLevelPolicy`);
            with it the router emits ``sla_at_risk`` and ``sla_breached``.
        rng: The random generator of random selection policies.
        four_eyes: The review rule for public replies (:class:`FourEyes`).
        blending: Blending and invite rules (:mod:`omnirouter.blending`).
        keep_finished: How many finished interactions to remember (default: all);
            older ids are forgotten (unknown, and may be submitted again), so a long run
            stays flat in memory.

    Raises:
        ValidationError: An option is invalid (e.g. a negative ``offer_timeout``); the
            error names it.
        ExpressionError: A queue's ``accepts`` or a step's target does not parse; the
            error shows where.

    Example:
        >>> import omnirouter as om
        >>> router = om.Router(clock=lambda: 0.0)
        >>> router.add_agent({"id": "anna", "capacity": {"voice": 1}})
        >>> router.set_presence("anna", "available")
        >>> router.submit({"id": "call-1", "channel": "voice"})
        >>> router.agent_of("call-1")
        'anna'
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

    # ------------------------------------------------------------------ add-ons

    def should_invite(self, visitor: Mapping[str, Any], now: float | None = None) -> Invitation:
        """Whether to invite a web visitor to a chat: the first
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

    # ------------------------------------------------------------------ replaying recorded calls

    def execute(self, name: str, arguments: Mapping[str, Any], *, at: float | None = None) -> Any:
        """Repeat a recorded call: ``name`` and ``arguments`` as a command listener saw them,
        at the time ``at`` it was made (default: the clock's time now)."""
        if at is None:
            return self._execute(name, arguments)
        at = checked_time(at, "execute", "at")
        with self._lock:
            clock = self._clock
            self._clock = lambda: at  # the call's own reading of the time, under the lock
            try:
                return self._execute(name, arguments)
            finally:
                self._clock = clock

    def _execute(self, name: str, arguments: Mapping[str, Any]) -> Any:
        spec = COMMANDS.get(name) if isinstance(name, str) else None
        if spec is None or not spec.replayable:
            raise _invalid("execute", "name", f"unknown command {name!r}")
        if not isinstance(arguments, Mapping):
            raise _invalid("execute", "arguments", f"must be a mapping, not {arguments!r}")
        args = dict(arguments)
        extra = sorted(map(str, set(args) - set(spec.arguments)))
        if extra:
            raise _invalid("execute", f"arguments.{extra[0]}", f"{name} takes no {extra[0]}")
        if name == "submit":
            interaction = self._registry.validate(Interaction, args.get("interaction"))
            customer = args.get("customer")
            return self.submit(
                interaction, customer=None if customer is None else Contact.model_validate(customer)
            )
        if name == "add_agent":
            return self.add_agent(self._registry.validate(Agent, args.get("agent")))
        if name in ("split", "consult"):
            parts = [self._registry.validate(Interaction, p) for p in args.pop("parts", ())]
            if name == "consult":
                if len(parts) != 1:
                    raise _invalid("execute", "arguments.parts", "a consultation has one part")
                return self.consult(args.get("interaction_id", ""), parts[0])
            return self.split(args.get("interaction_id", ""), parts)
        return getattr(self, name)(**args)
