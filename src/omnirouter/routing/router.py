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

import attrs

from omnirouter.errors import (
    CapacityExceededError,
    DuplicateIdError,
    InvalidStateError,
    UnknownChannelError,
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
from omnirouter.routing._agents import AVAILABLE, PRESENCES, AgentState
from omnirouter.routing._router_calls import _RouterCalls
from omnirouter.routing._router_core import (
    _ASSIGNED,
    _COMPLETED,
    _OFFERED,
    _REVIEW_QUEUE,
    _WAITING,
    PriorityStrategy,
    S,
    ServiceLevelHook,
    _invalid,
    _new_event,
    _QueueState,
)
from omnirouter.routing._router_core import (
    manual_priority_head_start as manual_priority_head_start,  # importable from here, as before
)
from omnirouter.routing._router_flow import _handover_detail
from omnirouter.routing._work import Work
from omnirouter.routing.events import Event
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.ops.journal import Journal
    from omnirouter.ops.portfolio import PortfolioNotice
    from omnirouter.ops.stats import RouterStats
    from omnirouter.routing.blending import Invitation

__all__ = ["AgentStatus", "PriorityStrategy", "Router", "ServiceLevelHook"]

_END_EVENTS: Final = {state: state.value for state in S}


@attrs.frozen(slots=True)
class AgentStatus:
    """What one agent is doing now (a read-only copy)."""

    agent_id: str
    presence: str
    idle_since: float
    work: tuple[str, ...]
    wrapping_up: tuple[str, ...]
    occupancy: float
    paused: tuple[str, ...] = ()


_OPEN_FOR_TRANSFER: Final = frozenset({S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED})
_ABANDONABLE: Final = frozenset({S.SCHEDULED, S.QUEUED, S.OFFERED})


class Router(_RouterCalls):
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

    # ------------------------------------------------------------------ agents

    def add_agent(self, agent: Agent) -> None:
        """Add an agent (offline until :meth:`set_presence` makes them available)."""
        if not isinstance(agent, Agent):
            agent = self._registry.validate(Agent, agent)
        return self._run(
            "add_agent",
            lambda: {"agent": agent.model_dump(mode="json", exclude_defaults=True)},
            lambda now: self._add_agent(agent, now),
        )

    def _add_agent(self, agent: Agent, now: float) -> None:
        if agent.id in self._agents:
            raise DuplicateIdError(f"agent {agent.id!r} is already in the router")
        self._agent_seq += 1
        state = AgentState(agent, self._registry, self._agent_seq, now)
        self._agents[agent.id] = state
        if self._blending is not None:
            self._blending.attach(state)
        for pool in self._pools.values():
            if pool.admit(state, self._registry):
                state.skills_for(pool.channel, self._registry)
        for customer_id in agent.portfolio:
            self._advisor_of.setdefault(customer_id, agent.id)
        self._emit("agent_added", now, None, agent.id)

    def remove_agent(self, agent_id: str) -> None:
        """Remove an agent; offers, work and pinned work go back to their queues."""
        self._run(
            "remove_agent",
            lambda: {"agent_id": agent_id},
            lambda now: self._remove_agent(agent_id, now),
        )

    def _remove_agent(self, agent_id: str, now: float) -> None:
        agent = self._agent(agent_id)
        agent.present = False
        agent.presence = "offline"
        agent.removed = True
        del self._agents[agent_id]
        for pool in agent.pools:
            pool.members.pop(agent_id, None)
        for customer_id, advisor in list(self._advisor_of.items()):
            if advisor == agent_id:
                del self._advisor_of[customer_id]
        self._emit("agent_removed", now, None, agent_id)
        for work_id in [*agent.items, *agent.paused]:
            self._requeue_from_agent(self._work[work_id], now, "agent_removed")
        for work in self._pinned.pop(agent_id, []):
            work.pinned = None
            self._requeue(work, now, "agent_removed")

    def set_presence(self, agent_id: str, presence: str) -> None:
        """``available`` (gets work), ``away`` or ``offline`` (keep their work, get none).

        Offers still open to an agent going away are withdrawn and requeued.
        """
        self._run(
            "set_presence",
            lambda: {"agent_id": agent_id, "presence": presence},
            lambda now: self._set_presence(agent_id, presence, now),
        )

    def _set_presence(self, agent_id: str, presence: str, now: float) -> None:
        agent = self._agent(agent_id)
        if presence not in PRESENCES:
            raise _invalid(
                "set_presence", "presence", f"{presence!r}: use one of {sorted(PRESENCES)}"
            )
        if presence == agent.presence:
            return
        was_present = agent.present
        agent.presence = presence
        agent.present = presence == AVAILABLE
        self._emit("presence_changed", now, None, agent_id, {"presence": presence})
        if agent.present and not was_present:
            agent.touch(now)
            self._agent_freed(agent, now)
        elif was_present and not agent.present:
            for work_id in list(agent.items):
                work = self._work[work_id]
                if work.state is S.OFFERED:
                    self._requeue_from_agent(work, now, "presence")

    def agent_status(self, agent_id: str) -> AgentStatus:
        """What the agent is doing now."""
        with self._lock:
            agent = self._agent(agent_id)
            return AgentStatus(
                agent.id,
                agent.presence,
                agent.idle_since,
                tuple(agent.items),
                tuple(agent.wrapping),
                agent.load.occupancy(),
                tuple(agent.paused),
            )

    @property
    def agents(self) -> tuple[Agent, ...]:
        """Every agent in the router, in the order they joined."""
        with self._lock:
            return tuple(a.agent for a in self._agents.values())

    # ------------------------------------------------------------------ submit

    def submit(self, interaction: Interaction, *, customer: Contact | None = None) -> None:
        """Route new work. ``customer`` (optional) is visible to ``accepts`` as ``customer``.

        Work with a ``scheduled_at`` in the future (a callback) waits until then.
        """
        if not isinstance(interaction, Interaction):
            interaction = self._registry.validate(Interaction, interaction)
        if customer is not None and not isinstance(customer, Contact):
            customer = Contact.model_validate(customer)
        self._run("submit", _submit_arguments, self._submit, None, (interaction, customer))

    def _submit(
        self, interaction: Interaction, customer: Contact | None, now: float, kind: str = "work"
    ) -> Work:
        interaction_id = interaction.id
        if interaction_id in self._work or interaction_id in self._finished:
            self._check_new(interaction)  # raises DuplicateIdError
        try:
            traits = self._registry.get(interaction.channel)
        except UnknownChannelError:
            traits = self._check_new(interaction)  # raises, listing the known channels
        queue: _QueueState | None = None
        readers = self._accept_readers
        if customer is None:
            # _queue_for's memo hit, inline for no or one accepts path (the usual cases).
            if not readers:
                queue = self._accept_memo.get(())
            elif len(readers) == 1:
                field = self._accept_field
                value = readers[0](interaction) if field is None else field(interaction)
                try:
                    queue = self._accept_memo.get((type(value), value))
                except TypeError:  # unhashable: _queue_for copes
                    queue = None
        if queue is None:
            queue = self._queue_for(interaction, customer)
        self._seq += 1
        work = Work(interaction, traits, self._seq, now, customer, queue.spec.name, kind)
        priority = self._priority
        if priority is manual_priority_head_start:
            manual = interaction.manual_priority
            if manual is not None:
                work.head_start = manual.value * 60.0
        else:
            work.head_start = float(priority(interaction, now))
        self._work[work.id] = work
        sla = self._sla
        if sla is not None:
            deadline = sla.deadline(interaction, traits, now)
            if deadline is not None:
                risk_at = now + sla.at_risk_fraction * (deadline - now)
                self._timers.set(risk_at, "sla", work.id, "risk")
                self._timers.set(deadline, "sla", work.id, "breach")
        scheduled = interaction.scheduled_at
        if scheduled is not None and scheduled.timestamp() > now:
            due = scheduled.timestamp()
            work.state = S.SCHEDULED
            work.enqueued_at = due
            work.order_key = due - work.head_start
            self._timers.set(due, "due", work.id)
            self._emit("scheduled", now, work, None, {"due": due})
            return work
        work.order_key = now - work.head_start
        if not queue.simple or queue.spec.sticky:
            self._enter_queue(work, queue, now, "queued")
            return work
        # The common case inline: one step, no overflow, not sticky.
        work.state = _WAITING
        channel = interaction.channel
        if self._wants_all or "queued" in self._wanted:
            self._pending.append(
                _new_event(
                    Event,
                    (
                        "queued",
                        now,
                        work.id,
                        None,
                        work.queue,
                        channel,
                        {} if interaction.handover is None else _handover_detail(work),
                    ),
                )
            )
        line = queue.first.get(channel)
        if line is None:
            line = self._line(queue, 0, channel)
        pool = line.pool
        if not pool.dynamic and self._indexed:
            agent = pool.best_free(self._heap_key, work.excluded)
        else:
            agent = self._find_agent(work, pool, now)
        if agent is None:
            line.push(work)
        else:
            self._give(work, agent, now)
        return work

    # ------------------------------------------------------------------ offers

    def accept(self, interaction_id: str) -> None:
        """The agent accepts the work offered to them."""
        self._run("accept", _id_argument, self._accept, None, (interaction_id,))

    def _accept(self, interaction_id: str, now: float) -> None:
        work = self._active(interaction_id)
        if work.state is not _OFFERED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not offered")
        self._assigned(work, work.agent or "", now, _handover_detail(work))

    def decline(self, interaction_id: str) -> None:
        """The agent declines the offer: the work goes back to its place, and is not
        offered to that agent again."""
        self._run(
            "decline",
            lambda: {"interaction_id": interaction_id},
            lambda now: self._decline(interaction_id, now),
        )

    def _decline(self, interaction_id: str, now: float) -> None:
        work = self._active(interaction_id)
        if work.state is not _OFFERED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not offered")
        self._refused(work, now, "declined")

    # ------------------------------------------------------------------ completion

    def complete(self, interaction_id: str, wrap_up: float = 0.0) -> None:
        """The agent finished the work. ``wrap_up`` seconds keep their capacity busy."""
        self._run("complete", _complete_arguments, self._complete, None, (interaction_id, wrap_up))

    def _complete(self, interaction_id: str, wrap_up: float, now: float) -> None:
        work = self._work.get(interaction_id) if type(interaction_id) is str else None
        if work is None:
            work = self._active(interaction_id)
        if work.state is not _ASSIGNED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not assigned")
        if (type(wrap_up) is not float and type(wrap_up) is not int) or wrap_up < 0:
            raise _invalid("complete", "wrap_up", f"must be seconds >= 0, not {wrap_up!r}")
        open_children = [c for c in work.children if c in self._work] if work.children else ()
        if open_children:
            raise InvalidStateError(
                f"{interaction_id!r} waits for consultation(s) {', '.join(open_children)}"
            )
        agent_id = work.agent or ""
        agent = self._agents[agent_id]
        channel = agent.items.pop(work.id)
        work.agent = None
        if wrap_up > 0:
            agent.wrapping[work.id] = channel
            self._timers.set(now + wrap_up, "wrap", agent_id, work.id)
        else:
            agent.load.remove(channel)
            if now > agent.idle_since:
                agent.idle_since = now
        four_eyes = self._four_eyes
        if (
            four_eyes is not None
            and work.kind == "work"
            and four_eyes.applies(work.interaction.channel, now)
        ):
            self._request_review(work, agent_id, now)
        elif (
            work.parent is None
            and not work.paused_seconds
            and self._keep_finished is None
            and not (self._wants_all or "completed" in self._wanted)
        ):
            # _finish inline for top-level work nobody waits to hear about.
            work.state = _COMPLETED
            del self._work[interaction_id]
            self._finished[interaction_id] = _COMPLETED
        else:
            self._finish(
                work,
                _COMPLETED,
                now,
                agent_id,
                {"paused_seconds": work.paused_seconds} if work.paused_seconds else None,
            )
        if wrap_up <= 0:
            self._agent_freed(agent, now)

    def _finish(
        self,
        work: Work,
        state: S,
        now: float,
        agent_id: str | None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        work.state = state
        work_id = work.id
        del self._work[work_id]
        finished = self._finished
        finished[work_id] = state
        keep = self._keep_finished
        if keep is not None:
            if work.children or work.parent is not None:
                self._forget_finished(work)
            else:  # _forget_finished's common case inline
                forgettable = self._forgettable
                forgettable.append(work_id)
                if len(forgettable) > keep:
                    finished.pop(forgettable.popleft(), None)
        kind = _END_EVENTS[state]
        if self._wants_all or kind in self._wanted:
            self._pending.append(
                _new_event(
                    Event,
                    (
                        kind,
                        now,
                        work_id,
                        agent_id,
                        work.queue,
                        work.interaction.channel,
                        detail or {},
                    ),
                )
            )
        if work.parent is not None:
            parent = self._work.get(work.parent)
            if parent is not None:
                self._child_done(parent, work, now, agent_id)

    def _forget_finished(self, work: Work) -> None:
        # A part's end state is needed until its parent ends, so parts become forgettable
        # only then, with their parent; top-level work at once.
        forgettable = self._forgettable
        forgettable.extend(work.children)
        if work.parent is None:
            forgettable.append(work.id)
        finished = self._finished
        while len(forgettable) > self._keep_finished:  # type: ignore[operator]
            finished.pop(forgettable.popleft(), None)

    def _child_done(self, parent: Work, child: Work, now: float, agent_id: str | None) -> None:
        if parent.state is not S.WAITING_FOR_CHILDREN:
            return
        if child.kind == "review":
            state = child.state if child.state is not S.COMPLETED else S.COMPLETED
            self._finish(parent, state, now, None, {"reviewed_by": agent_id, "review": child.id})
            return
        if all(c not in self._work for c in parent.children):
            self._finish(
                parent,
                S.COMPLETED,
                now,
                None,
                {"children": {c: self._finished[c].value for c in parent.children}},
            )

    def _request_review(self, work: Work, author: Any, now: float) -> None:
        work.state = S.WAITING_FOR_CHILDREN
        number = sum(1 for c in work.children if c.startswith(work.id + "#review")) + 1
        source = work.interaction
        review = Interaction.model_construct(
            id=f"{work.id}#review{number}",
            channel=source.channel,
            customer_id=source.customer_id,
            conversation_id=source.conversation_id,
            case_id=source.case_id,
            parent_id=work.id,
            reason="review",
            language=source.language,
            subject=source.subject,
            attributes={"review_of": work.id, "author": author},
        )
        review_work = self._new_child(work, review, _REVIEW_QUEUE, now, "review")
        if isinstance(author, str):
            review_work.excluded.add(author)
        self._emit("review_requested", now, work, author, {"review": review.id})
        self._enter_queue(review_work, self._queues[_REVIEW_QUEUE], now, "queued")

    def _new_child(
        self, parent: Work, interaction: Interaction, queue: str, now: float, kind: str
    ) -> Work:
        self._seq += 1
        child = Work(
            interaction, self._registry.get(interaction.channel), self._seq, now, parent.customer
        )
        child.kind = kind
        child.queue = queue
        child.parent = parent.id
        child.head_start = parent.head_start
        child.enqueued_at = parent.enqueued_at
        child.order_key = parent.order_key
        parent.children.append(child.id)
        self._work[child.id] = child
        return child

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


def _submit_arguments(interaction: Interaction, customer: Contact | None) -> dict[str, Any]:
    return {
        "interaction": interaction.model_dump(mode="json", exclude_defaults=True),
        "customer": None
        if customer is None
        else customer.model_dump(mode="json", exclude_defaults=True),
    }


def _complete_arguments(interaction_id: str, wrap_up: float) -> dict[str, Any]:
    return {"interaction_id": interaction_id, "wrap_up": wrap_up}


def _id_argument(interaction_id: str) -> dict[str, Any]:
    return {"interaction_id": interaction_id}


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
