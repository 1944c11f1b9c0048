"""How work moves: into a queue and through its steps, to an agent, back when refused.

:class:`_RouterFlow` places waiting work (steps that expire, overflow, sticky agents),
finds agents for work and work for a freed agent, offers and assigns, and takes work
back from an agent (detach, requeue). It changes state and emits events; the public
calls that drive it live in the layers above.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from typing import Any, Final

from omnirouter.dispatch.states import move
from omnirouter.routing._agents import AgentState, Pool
from omnirouter.routing._router_core import (
    _ASSIGNED,
    _OFFERED,
    _WAITING,
    S,
    _QueueState,
    _RouterCore,
)
from omnirouter.routing._work import Work
from omnirouter.routing.events import new_event
from omnirouter.routing.queues import Step

_NO_DETAIL: Final[Mapping[str, Any]] = {}


def _handover_detail(work: Work) -> Mapping[str, Any]:
    handover = work.interaction.handover
    if handover is None:
        return {}
    return {"handover": handover.model_dump(mode="json")}


class _RouterFlow(_RouterCore):
    """Work between lines and agents (see the module doc)."""

    # ------------------------------------------------------------------ waiting and steps

    def _enter_queue(
        self, work: Work, queue: _QueueState, now: float, kind: str, hops: int = 0
    ) -> None:
        overflow = queue.spec.overflow
        if (
            overflow is not None
            and overflow.max_waiting is not None
            and hops < len(self._queues)
            and queue.waiting() >= overflow.max_waiting
        ):
            work.queue = queue.spec.name
            self._emit(kind, now, work)
            self._emit(
                "overflowed", now, work, None, {"to": overflow.queue, "reason": "max_waiting"}
            )
            self._enter_queue(work, self._queues[overflow.queue], now, "queued", hops + 1)
            return
        work.queue = queue.spec.name
        move(work, _WAITING)
        work.step = 0
        work.step_started_at = now
        if self._wants_all or kind in self._wanted:
            self._emit(kind, now, work, None, _handover_detail(work))
        if queue.spec.sticky and self._give_sticky(work, now):
            return
        self._settle(work, now)

    def _give_sticky(self, work: Work, now: float) -> bool:
        customer_id = work.interaction.customer_id
        agent_id = self._last_agent.get(customer_id) if customer_id is not None else None
        agent = self._agents.get(agent_id) if agent_id is not None else None
        if (
            agent is None
            or agent.id in work.excluded
            or not agent.can_take(work.interaction.channel)
            or not self._policy.admits(agent, now)
        ):
            return False
        self._give(work, agent, now, {"sticky": True})
        return True

    def _settle(self, work: Work, now: float) -> None:
        """Place ``work`` (state QUEUED) in its current step: expire steps that are over,
        overflow, give it to a free agent or let it wait with the right timer set."""
        queue = self._queues[work.queue or ""]
        channel = work.interaction.channel
        if work.line is not None:
            work.line.remove(work)
        if queue.simple:
            line = queue.first.get(channel)
            if line is None:
                line = self._line(queue, 0, channel)
            pool = line.pool
            if not pool.dynamic and self._indexed:
                agent = pool.best_free(self._heap_key, work.excluded)
            else:
                agent = self._find_agent(work, pool, now)
            if agent is not None:
                self._give(work, agent, now)
            else:
                line.push(work)
            return
        steps = queue.spec.steps
        last = len(steps) - 1
        while True:
            step = steps[work.step]
            if work.step < last:
                ends = None if step.timeout is None else work.step_started_at + step.timeout
                skip = step.skip_if_absent and not self._anyone_present(work, step, channel)
                if skip or (ends is not None and ends <= now):
                    self._emit(
                        "step_expired",
                        now,
                        work,
                        None,
                        {"step": work.step, "next": work.step + 1, "skipped": skip},
                    )
                    work.step += 1
                    work.step_started_at = now
                    continue
            else:
                ends = None
                overflow = queue.spec.overflow
                if overflow is not None and overflow.after is not None:
                    ends = work.step_started_at + overflow.after
                    if ends <= now:
                        self._emit(
                            "overflowed", now, work, None, {"to": overflow.queue, "reason": "after"}
                        )
                        self._enter_queue(work, self._queues[overflow.queue], now, "queued")
                        return
            break
        line = self._line(queue, work.step, channel)
        agent = self._find_agent(work, line.pool, now)
        if agent is not None:
            self._give(work, agent, now)
            return
        line.push(work)
        if ends is not None:
            work.step_token += 1
            self._timers.set(ends, "step", work.id, work.step_token)

    def _anyone_present(self, work: Work, step: Step, channel: str) -> bool:
        pool = self._pool(step.expression, channel)
        for agent in pool.members.values():
            if agent.present and (not pool.dynamic or self._matches(pool, agent, work)):
                return True
        return False

    def _matches(self, pool: Pool, agent: AgentState, work: Work) -> bool:
        interaction = work.interaction
        customer_id = interaction.customer_id
        advisor = None
        if customer_id is not None:
            advisor_id = self._advisor_of.get(customer_id)
            if advisor_id is not None:
                advisor = self._agents[advisor_id].agent
        view = agent.view(
            pool.channel,
            self._registry,
            interaction=interaction,
            customer=work.customer,
            advisor=advisor,
        )
        return pool.expression.matches(view)

    def _find_agent(self, work: Work, pool: Pool, now: float) -> AgentState | None:
        policy = self._policy
        if not pool.dynamic and policy.indexed:
            return pool.best_free(self._heap_key, work.excluded)
        excluded = work.excluded
        candidates = [
            a
            for a in pool.free_members()
            if a.id not in excluded
            and policy.admits(a, now)
            and (not pool.dynamic or self._matches(pool, a, work))
        ]
        return policy.choose(work.interaction, candidates, pool, now)

    # ------------------------------------------------------------------ offer and assignment

    def _give(
        self, work: Work, agent: AgentState, now: float, detail: Mapping[str, Any] | None = None
    ) -> None:
        channel = work.interaction.channel
        if work.line is not None:
            work.line.remove(work)
        if self._blending is not None:
            self._blending.make_room(agent, channel, now)
        agent.load.add(channel)
        agent.items[work.id] = channel
        if now > agent.idle_since:
            agent.idle_since = now
        work.agent = agent.id
        policy = self._policy
        if self._policy_tracks:
            policy.assigned(agent, now)
        info = _handover_detail(work) if work.interaction.handover is not None else _NO_DETAIL
        if detail:
            info = {**info, **detail}
        if self._offer_timeout is not None and not (detail and detail.get("pulled")):
            move(work, _OFFERED)
            work.offer_token += 1
            self._timers.set(now + self._offer_timeout, "offer", work.id, work.offer_token)
            self._emit("offered", now, work, agent.id, info)
        elif work.kind != "work" or work.interaction.customer_id is not None:
            self._assigned(work, agent.id, now, info)
        else:
            # _assigned inline for plain work without a customer to remember.
            move(work, _ASSIGNED)
            if work.traits.synchronous:
                work.answered = True
            if self._wants_all or "assigned" in self._wanted:
                self._pending.append(
                    new_event("assigned", now, work.id, agent.id, work.queue, channel, info or {})
                )
        if self._policy_gates and not policy.admits(agent, now):
            again = policy.readmits_at(agent, now)
            if again is not None:
                self._timers.set(again, "retry", agent.id, 0)

    def _assigned(self, work: Work, agent_id: str, now: float, info: Mapping[str, Any]) -> None:
        move(work, _ASSIGNED)
        if work.traits.synchronous:
            work.answered = True
        customer_id = work.interaction.customer_id
        if customer_id is not None and work.kind == "work":
            self._last_agent[customer_id] = agent_id
        if self._wants_all or "assigned" in self._wanted:
            self._emit("assigned", now, work, agent_id, info)

    def _refused(self, work: Work, now: float, kind: str) -> None:
        agent_id = work.agent or ""
        work.excluded.add(agent_id)
        self._emit(kind, now, work, agent_id)
        self._requeue_from_agent(work, now, kind)

    def _detach(self, work: Work, now: float) -> AgentState | None:
        """Take ``work`` out of its line, its pin or its agent (without wrap-up)."""
        if work.line is not None:
            work.line.remove(work)
        if work.pinned is not None:
            pinned = self._pinned.get(work.pinned, [])
            if work in pinned:
                pinned.remove(work)
            work.pinned = None
        agent_id = work.agent
        if agent_id is None:
            return None
        work.agent = None
        if work.paused_seconds or work.paused_at is not None:
            # Handling time counts from the next assignment; earlier pauses are history.
            work.paused_at = None
            work.paused_seconds = 0.0
        agent = self._agents.get(agent_id)
        if agent is None:
            return None
        channel = agent.items.pop(work.id, None)
        if channel is not None:
            agent.load.remove(channel)
            agent.touch(now)
        else:
            agent.paused.pop(work.id, None)
        return agent

    def _requeue_from_agent(self, work: Work, now: float, reason: str) -> None:
        agent = self._detach(work, now)
        self._requeue(work, now, reason, agent.id if agent else None)
        if agent is not None and not agent.removed:
            self._agent_freed(agent, now)

    def _requeue(self, work: Work, now: float, reason: str, agent_id: str | None = None) -> None:
        move(work, _WAITING)
        self._emit("requeued", now, work, agent_id, {"reason": reason})
        self._settle(work, now)

    # ------------------------------------------------------------------ pausing

    def _hold_paused(self, work: Work, agent: AgentState, now: float) -> str:
        """Interrupt assigned ``work``: ``agent`` keeps it, but it no longer counts
        against their capacity (the one implementation, for pause and for blending).
        Returns its channel."""
        channel = agent.items.pop(work.id)
        agent.load.remove(channel)
        agent.paused[work.id] = channel
        move(work, S.PAUSED)
        work.paused_at = now
        return channel

    def _unpause(self, work: Work, agent: AgentState, now: float) -> float:
        """Continue paused ``work`` (the caller checked that it fits): it counts against
        ``agent``'s capacity again. Returns the seconds it was paused this time."""
        channel = agent.paused.pop(work.id)
        agent.load.add(channel)
        agent.items[work.id] = channel
        move(work, S.ASSIGNED)
        span = 0.0
        if work.paused_at is not None:
            span = max(0.0, now - work.paused_at)
            work.paused_seconds += span
            work.paused_at = None
        return span

    def _agent_freed(self, agent: AgentState, now: float) -> None:
        """The agent may have room: give it the best waiting work it may take, then put it
        back into the free-agent heaps."""
        if not agent.present:
            return
        policy = self._policy
        gates = self._policy_gates
        while True:
            if gates and not policy.admits(agent, now):
                again = policy.readmits_at(agent, now)
                if again is not None:
                    self._timers.set(again, "retry", agent.id, 0)
                break
            if not self._pinned:
                for pool in agent.pools:
                    if pool.waiting:
                        break
                else:
                    break  # nothing waits in any line the agent serves
            work = self._best_work_for(agent)
            if work is None:
                break
            self._give(work, agent, now)
        if self._blending is not None:
            self._blending.freed(agent, now)
        # Back into the free-agent heaps it is not in; one capacity check per channel.
        key = self._heap_key
        agent_id = agent.id
        can_take = agent.load.can_take
        for pool in agent.pools:
            heap = pool.heap
            if heap is None or agent_id in pool.in_heap:
                continue
            if can_take(pool.channel):
                pool.in_heap.add(agent_id)
                entry = (agent.idle_since if key is None else key(agent, pool), agent.seq, agent)
                # Pool.push inline: in key order onto the deque, otherwise into the heap.
                fifo = pool.fifo
                if fifo and entry < fifo[-1]:
                    heapq.heappush(heap, entry)
                else:
                    fifo.append(entry)

    def _acceptor(self, agent: AgentState, pool: Pool) -> Callable[[Work], bool]:
        agent_id = agent.id
        if pool.dynamic:

            def accept_matching(work: Work) -> bool:
                return agent_id not in work.excluded and self._matches(pool, agent, work)

            return accept_matching

        def accept(work: Work) -> bool:
            return agent_id not in work.excluded

        return accept

    def _best_work_for(self, agent: AgentState) -> Work | None:
        best: Work | None = None
        best_key: tuple[float, int] = (float("inf"), 0)
        load = agent.load
        agent_id = agent.id
        for pool in agent.pools:
            if not pool.waiting or not load.can_take(pool.channel):
                continue
            accept = None
            for line in pool.lines:
                if not line.live:
                    continue
                if not pool.dynamic:
                    # The usual answer without building an acceptor: the line's head.
                    work = line.head()
                    if work is not None and agent_id in work.excluded:
                        work = line.first_matching(self._acceptor(agent, pool))
                else:
                    if accept is None:
                        accept = self._acceptor(agent, pool)
                    work = line.first_matching(accept)
                if work is not None and (work.order_key, work.seq) < best_key:
                    best, best_key = work, (work.order_key, work.seq)
        for work in self._pinned.get(agent_id, ()):
            if (work.order_key, work.seq) < best_key and load.can_take(work.interaction.channel):
                best, best_key = work, (work.order_key, work.seq)
        if best is not None and best.pinned is not None:
            self._pinned[agent_id].remove(best)
            best.pinned = None
        return best
