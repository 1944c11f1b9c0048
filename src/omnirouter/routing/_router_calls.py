"""The one path in, and time.

Every public operation that changes state runs through :meth:`_RouterCalls._run`, which
holds the lock, fires due timers first, tells command listeners (a journal) the
operation's name, JSON-able arguments and time, and delivers the events it produced to
subscribers, in order, once the state is consistent. The router never reads the wall
clock: every operation asks the injected ``clock`` for the time (``tick(now=...)`` may
pass it). Timers fire through the handlers here, which hand the work to the flow below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from omnirouter.routing._router_core import _WAITING, S, checked_time
from omnirouter.routing._router_flow import _RouterFlow

_T = TypeVar("_T")


class _RouterCalls(_RouterFlow):
    """Runs the public calls and fires the timers (see the module doc)."""

    # ------------------------------------------------------------------ the one path in

    def _run(
        self,
        name: str,
        arguments: Callable[..., dict[str, Any]],
        operation: Callable[..., _T],
        now: float | None = None,
        args: tuple[Any, ...] = (),
    ) -> _T:
        """Run ``operation(*args, now)`` as the public call ``name`` (see the module doc);
        ``arguments(*args)`` gives the call's JSON-able arguments to command listeners."""
        lock = self._lock
        lock.acquire()  # not ``with``: on the hot path the context manager costs more
        try:
            # Only a finite plain float passes as is (x - x is 0.0 then, NaN for NaN or
            # infinity); checked_time converts or refuses anything else.
            if now is None:
                now = self._clock()
                if now.__class__ is not float or now - now != 0.0:
                    now = checked_time(now, "Router", "clock")
            elif now.__class__ is not float or now - now != 0.0:
                now = checked_time(now, name, "now")
            due = self._timers.next_at()
            if (
                self._depth
                or (due is not None and due <= now)
                or self._command_listeners
                or self._command_checks
                or self._commit_hooks
                or self._blending is not None
            ):
                return self._run_locked(name, arguments, operation, now, args)
            # The common case: an outermost call, no timer due, nobody to tell but the
            # subscribers.
            before = self._now
            if now > before:
                self._now = now
            self._depth = 1
            try:
                return operation(*args, now)
            except Exception:
                self._now = before  # a refused call leaves no trace, not even its time
                raise
            finally:
                self._depth = 0
                if self._pending and not self._flushing:
                    self._flush()
        finally:
            lock.release()

    def _run_locked(
        self,
        name: str,
        arguments: Callable[..., dict[str, Any]],
        operation: Callable[..., _T],
        now: float,
        args: tuple[Any, ...],
    ) -> _T:
        payload: dict[str, Any] | None = None
        if self._command_checks:
            payload = arguments(*args)
            for check in self._command_checks:
                check(name, payload, now)  # raising refuses the call before any change
        self._depth += 1
        try:
            due = self._timers.next_at()
            before = self._now
            if due is not None and due <= now:
                self._fire_due(now)
            elif now > self._now:
                self._now = now
            try:
                result = operation(*args, now)
            except Exception:
                if due is not None and due <= now:
                    # The call changed nothing, but the timers due before it fired:
                    # a journal must see them as a tick at this time to replay exactly.
                    if self._blending is not None:
                        self._blending.settle(now)  # as that tick would have
                    for listener in self._command_listeners:
                        listener("tick", {"now": now}, now)
                else:
                    self._now = before  # a refused call leaves no trace, not even its time
                raise
            if self._blending is not None:
                self._blending.settle(now)  # the rules see the load the call left
            if self._command_listeners:
                if payload is None:
                    payload = arguments(*args)
                for listener in self._command_listeners:
                    listener(name, payload, now)
            return result
        finally:
            self._depth -= 1
            if not self._depth and not self._flushing:
                if self._pending:
                    self._flush()
                for hook in self._commit_hooks:
                    hook()

    # ------------------------------------------------------------------ time

    def next_wakeup(self) -> float | None:
        """When the next timer is due (the caller should ``tick()`` then), or None."""
        # A lock-free read (a simulator asks before every event); a timer popped by
        # another thread meanwhile just means "now".
        return self._timers.next_at()

    def tick(self, now: float | None = None) -> None:
        """Fire every timer due at ``now`` (default: the clock's time)."""
        self._run("tick", lambda: {"now": now}, lambda at: None, now)

    def _fire_due(self, now: float) -> None:
        if now > self._now:
            self._now = now
        timers = self._timers
        while True:
            timer = timers.pop_due(now)
            if timer is None:
                return
            _at, _seq, kind, subject, token = timer
            _TIMER_HANDLERS[kind](self, subject, token, now)

    def _on_step_timer(self, work_id: str, token: Any, now: float) -> None:
        work = self._work.get(work_id)
        if work is None or work.state is not _WAITING or work.line is None:
            return
        if work.step_token != token:
            return
        self._settle(work, now)

    def _on_offer_timer(self, work_id: str, token: Any, now: float) -> None:
        work = self._work.get(work_id)
        if work is None or work.state is not S.OFFERED or work.offer_token != token:
            return
        self._refused(work, now, "offer_timeout")

    def _on_wrap_timer(self, agent_id: str, work_id: Any, now: float) -> None:
        agent = self._agents.get(agent_id)
        if agent is None or work_id not in agent.wrapping:
            return
        channel = agent.wrapping.pop(work_id)
        agent.load.remove(channel)
        agent.touch(now)
        self._emit("wrap_up_ended", now, None, agent_id, {"interaction_id": work_id})
        self._agent_freed(agent, now)

    def _on_due_timer(self, work_id: str, token: Any, now: float) -> None:
        work = self._work.get(work_id)
        if work is None or work.state is not S.SCHEDULED:
            return
        self._enter_queue(work, self._queues[work.queue or ""], now, "queued")

    def _on_sla_timer(self, work_id: str, token: Any, now: float) -> None:
        work = self._work.get(work_id)
        if work is None or work.answered:
            return
        kind = "sla_at_risk" if token == "risk" else "sla_breached"
        self._emit(kind, now, work, work.agent)

    def _on_blend_timer(self, subject: str, token: Any, now: float) -> None:
        if self._blending is not None:
            self._blending.recheck_due()

    def _on_retry_timer(self, agent_id: str, token: Any, now: float) -> None:
        agent = self._agents.get(agent_id)
        if agent is not None:
            self._agent_freed(agent, now)


_TIMER_HANDLERS: Final[dict[str, Callable[[_RouterCalls, str, Any, float], None]]] = {
    "step": _RouterCalls._on_step_timer,
    "offer": _RouterCalls._on_offer_timer,
    "wrap": _RouterCalls._on_wrap_timer,
    "due": _RouterCalls._on_due_timer,
    "sla": _RouterCalls._on_sla_timer,
    "retry": _RouterCalls._on_retry_timer,
    "blend": _RouterCalls._on_blend_timer,
}
