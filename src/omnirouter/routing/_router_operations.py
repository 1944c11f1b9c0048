"""What hosts and agents do to work on its way: pause and resume, abandon and cancel,
transfer, pull, change priority, split and consult.

:class:`_RouterOperations` holds these public calls; each runs through the one path in
and moves the work with the flow and lifecycle below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from omnirouter.dispatch.states import move
from omnirouter.errors import CapacityExceededError, InvalidStateError, UnknownQueueError
from omnirouter.model import Interaction, ManualPriority
from omnirouter.routing._router_core import (
    _WAITING,
    PriorityStrategy,
    S,
    _invalid,
    checked_head_start,
)
from omnirouter.routing._router_lifecycle import _RouterLifecycle
from omnirouter.routing._work import Work

_OPEN_FOR_TRANSFER: Final = frozenset({S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED})
_ABANDONABLE: Final = frozenset({S.SCHEDULED, S.QUEUED, S.OFFERED})


class _RouterOperations(_RouterLifecycle):
    """Operations on work under way (see the module doc)."""

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
        self._hold_paused(work, agent, now)
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
        span = self._unpause(work, agent, now)
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
        # Out of its line, pin or agent first: an agent freed by a part's end below must
        # not be offered the work being ended.
        agent = self._detach(work, now)
        open_children = [c for c in work.children if c in self._work]
        if open_children:
            move(work, state)  # so that the children's ends do not finish the parent
            for child_id in open_children:
                self._end(child_id, now, S.CANCELLED)
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
        move(work, _WAITING)
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
        """An agent takes work themselves: the named waiting work (whatever the
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
        work.head_start = checked_head_start(self._priority(work.interaction, now))
        work.order_key = work.enqueued_at - work.head_start
        line = work.line
        if line is not None:
            line.remove(work)
            line.push(work)

    def split(self, interaction_id: str, parts: Sequence[Interaction]) -> list[str]:
        """One piece of work becomes several: each part is routed on its own
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
        """Ask an expert: ``part`` is routed on its own while the agent keeps the
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
            move(work, S.WAITING_FOR_CHILDREN)
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
            child.head_start = checked_head_start(self._priority(interaction, now))
            child.order_key = child.enqueued_at - child.head_start
            self._enter_queue(child, queue, now, "queued")
        if agent is not None:
            self._agent_freed(agent, now)
        return ids
