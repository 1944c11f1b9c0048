"""The life of work and agents: agents come and go, work is submitted, offered,
accepted or declined, completed and finished (with its parts and four-eyes reviews).

:class:`_RouterLifecycle` holds these public calls and the bookkeeping of finished work
(the end states kept, ``keep_finished``, parents waiting for their children).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from omnirouter.dispatch.states import move
from omnirouter.errors import DuplicateIdError, InvalidStateError, UnknownChannelError
from omnirouter.model import Agent, Contact, Interaction
from omnirouter.routing._agents import AVAILABLE, PRESENCES, AgentState
from omnirouter.routing._router_calls import _RouterCalls
from omnirouter.routing._router_core import (
    _ASSIGNED,
    _COMPLETED,
    _INF,
    _OFFERED,
    _REVIEW_QUEUE,
    _WAITING,
    S,
    _invalid,
    _QueueState,
    checked_head_start,
    checked_seconds,
    checked_time,
    manual_priority_head_start,
)
from omnirouter.routing._router_flow import _handover_detail
from omnirouter.routing._work import Work
from omnirouter.routing.events import new_event

__all__ = ["AgentStatus"]

_END_EVENTS: Final = {state: state.value for state in S}


@attrs.frozen(slots=True)
class AgentStatus:
    """What one agent is doing now: a read-only copy from ``router.agent_status(agent_id)``.

    Attributes:
        agent_id: The agent's id.
        presence: ``available`` (gets work), ``away`` or ``offline``.
        idle_since: When (router clock, epoch seconds) the agent's load last changed;
            the ``longest_idle`` policy prefers the smallest.
        work: Ids of the work the agent holds now (offered or assigned), oldest first.
        wrapping_up: Ids of completed work whose wrap-up time still keeps capacity busy.
        occupancy: How full the agent's capacity is now, from 0.0 (idle) to 1.0 (full):
            the fullest share of any per-channel cap, the total or the budget.
        paused: Ids of interruptible work paused for more urgent work (channel blending).

    Example:
        >>> import omnirouter as om
        >>> router = om.Router(clock=lambda: 0.0)
        >>> router.add_agent(om.Agent(id="ana", capacity={"chat": 2}))
        >>> router.set_presence("ana", "available")
        >>> router.submit(om.Interaction(id="c-1", channel="chat"))
        >>> router.agent_status("ana").to_json()["occupancy"]
        0.5
    """

    agent_id: str
    presence: str
    idle_since: float
    work: tuple[str, ...]
    wrapping_up: tuple[str, ...]
    occupancy: float
    paused: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The status as a plain JSON-able dict (the id lists as lists)."""
        return {
            "agent_id": self.agent_id,
            "presence": self.presence,
            "idle_since": self.idle_since,
            "work": list(self.work),
            "wrapping_up": list(self.wrapping_up),
            "occupancy": self.occupancy,
            "paused": list(self.paused),
        }


class _RouterLifecycle(_RouterCalls):
    """Agents, submit, offers, completion (see the module doc)."""

    # ------------------------------------------------------------------ agents

    def add_agent(self, agent: Agent) -> None:
        """Add an agent: an :class:`~omnirouter.Agent` or a dict of its fields.

        The agent is offline until :meth:`set_presence` makes them available.

        Raises:
            ValidationError: The dict is not a valid agent.
            DuplicateIdError: An agent with this id is already in the router.
        """
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
        """Remove an agent; their offers, work and work reserved for them go back to
        their queues (at their original places).

        Raises:
            UnknownAgentError: No agent with this id.
        """
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

        Raises:
            UnknownAgentError: No agent with this id.
            ValidationError: ``presence`` is none of the three.
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
        """What the agent is doing now (:class:`AgentStatus`; ``to_json()`` for a dict).

        Raises:
            UnknownAgentError: No agent with this id.
        """
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
        """Route new work: an :class:`~omnirouter.Interaction` or a dict of its fields.

        The first queue whose ``accepts`` matches takes it; if an agent is free it is
        offered or assigned at once, otherwise it waits. ``customer`` (optional, a
        :class:`~omnirouter.Contact` or dict) is visible to ``accepts`` as ``customer``.
        Work with a ``scheduled_at`` in the future (a callback) waits until then.

        Raises:
            ValidationError: The dict is not a valid interaction (e.g. an unknown
                channel).
            UnknownChannelError: An interaction built against another channel registry
                names a channel this router does not know.
            DuplicateIdError: The id is open or remembered as finished.
            NoQueueError: No queue accepts it.
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
        # The hooks first: a hook's bad answer must leave no trace.
        head_start = 0.0
        priority = self._priority
        if priority is manual_priority_head_start:
            manual = interaction.manual_priority
            if manual is not None:
                head_start = manual.value * 60.0
        else:
            head_start = checked_head_start(priority(interaction, now))
        sla = self._sla
        deadline = None
        if sla is not None:
            deadline = sla.deadline(interaction, traits, now)
            if deadline is not None:
                deadline = checked_time(deadline, "sla", "deadline")
        self._seq += 1
        work = Work(interaction, traits, self._seq, now, customer, queue.spec.name, kind)
        work.head_start = head_start
        self._work[work.id] = work
        if deadline is not None:
            risk_at = now + sla.at_risk_fraction * (deadline - now)  # type: ignore[union-attr]
            self._timers.set(risk_at, "sla", work.id, "risk")
            self._timers.set(deadline, "sla", work.id, "breach")
        scheduled = interaction.scheduled_at
        if scheduled is not None and scheduled.timestamp() > now:
            due = scheduled.timestamp()
            move(work, S.SCHEDULED)
            work.enqueued_at = due
            work.order_key = due - work.head_start
            self._timers.set(due, "due", work.id, 0)
            self._emit("scheduled", now, work, None, {"due": due})
            return work
        work.order_key = now - work.head_start
        if not queue.simple or queue.spec.sticky:
            self._enter_queue(work, queue, now, "queued")
            return work
        # The common case inline: one step, no overflow, not sticky.
        move(work, _WAITING)
        channel = interaction.channel
        if self._wants_all or "queued" in self._wanted:
            self._pending.append(
                new_event(
                    "queued",
                    now,
                    work.id,
                    None,
                    work.queue,
                    channel,
                    {} if interaction.handover is None else _handover_detail(work),
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
        """The agent accepts the work offered to them: it is assigned, with no timeout.

        Raises:
            UnknownInteractionError: No such interaction.
            InvalidStateError: It is not on offer (never offered, or already accepted,
                declined, timed out or finished).
        """
        self._run("accept", _id_argument, self._accept, None, (interaction_id,))

    def _accept(self, interaction_id: str, now: float) -> None:
        work = self._active(interaction_id)
        if work.state is not _OFFERED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not offered")
        self._assigned(work, work.agent or "", now, _handover_detail(work))

    def decline(self, interaction_id: str) -> None:
        """The agent declines the offer: the work goes back to its place, and is not
        offered to that agent again.

        Raises:
            UnknownInteractionError: No such interaction.
            InvalidStateError: It is not on offer.
        """
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
        """The agent finished the work. ``wrap_up`` seconds keep their capacity busy.

        With a four-eyes rule, a public reply is not finished yet: a review task goes
        to a second agent, and the reply completes with the review.

        Raises:
            UnknownInteractionError: No such interaction.
            InvalidStateError: It is not assigned (still waiting, only offered, or
                already finished).
            ValidationError: ``wrap_up`` is negative or not a finite number.
        """
        self._run("complete", _complete_arguments, self._complete, None, (interaction_id, wrap_up))

    def _complete(self, interaction_id: str, wrap_up: float, now: float) -> None:
        work = self._work.get(interaction_id) if type(interaction_id) is str else None
        if work is None:
            work = self._active(interaction_id)
        if work.state is not _ASSIGNED:
            raise InvalidStateError(f"{interaction_id!r} is {work.state.value}, not assigned")
        if type(wrap_up) is not float or not 0.0 <= wrap_up < _INF:
            wrap_up = checked_seconds(wrap_up, "complete", "wrap_up", positive=False)
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
            move(work, _COMPLETED)
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
        if work.state is not state:  # cancelled with open parts: it already is
            move(work, state)
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
                new_event(
                    kind, now, work_id, agent_id, work.queue, work.interaction.channel, detail or {}
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
        move(work, S.WAITING_FOR_CHILDREN)
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
