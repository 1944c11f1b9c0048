"""The router's ground floor: its state, its queues, events out, pools and lines.

:class:`_RouterCore` sets up every attribute the router keeps (in one place), checks the
settings, installs the queues and finds the queue that accepts new work, delivers events
to subscribers and tells command listeners and commit hooks, and builds the pools
(agents per target and channel) and wait lines on first use. The layers above
(``_router_flow``, ``_router_calls``, ``_router_lifecycle``, ``_router_operations``,
``router``) move work through this state.
"""

from __future__ import annotations

import operator
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

from omnirouter.dispatch.lines import Tally, WaitLine
from omnirouter.dispatch.timers import TimerHeap, Timers
from omnirouter.errors import (
    DuplicateIdError,
    ErrorDetail,
    InvalidStateError,
    NoQueueError,
    UnknownAgentError,
    UnknownChannelError,
    UnknownInteractionError,
    ValidationError,
)
from omnirouter.model import ChannelRegistry, ChannelTraits, Contact, Interaction, InteractionState
from omnirouter.routing import selection as _selection
from omnirouter.routing._agents import AgentState, Pool
from omnirouter.routing._expr_runtime import compile_path
from omnirouter.routing._work import Work
from omnirouter.routing.events import EVENT_KINDS, Event, new_event
from omnirouter.routing.expressions import Expression
from omnirouter.routing.queues import FourEyes, Queue, Step
from omnirouter.routing.view import RouterView

if TYPE_CHECKING:
    from omnirouter.routing._blend_engine import Blender

__all__ = ["PriorityStrategy", "ServiceLevelHook", "manual_priority_head_start"]

S = InteractionState
_WAITING: Final = S.QUEUED
# Module constants for the hot path: reading a member off the enum class costs a few
# times more than a global.
_OFFERED: Final = S.OFFERED
_ASSIGNED: Final = S.ASSIGNED
_COMPLETED: Final = S.COMPLETED
_REVIEW_QUEUE: Final = "four_eyes_review"
_MEMO_LIMIT: Final = 4096

#: A priority hook: ``(interaction, now) -> head start in seconds of virtual waiting time``.
PriorityStrategy = Callable[[Interaction, float], float]


class ServiceLevelHook(Protocol):
    """What the router needs from a service-level object (the SLA hook)."""

    at_risk_fraction: float

    def deadline(
        self, interaction: Interaction, traits: ChannelTraits, submitted_at: float
    ) -> float | None:
        """The answer deadline (epoch seconds) of ``interaction``, or None for none."""
        ...


def manual_priority_head_start(interaction: Interaction, now: float) -> float:
    """The default priority hook: the manual priority's value × 60 s (0 without one)."""
    priority = interaction.manual_priority
    return 0.0 if priority is None else priority.value * 60.0


class _QueueState:
    __slots__ = ("first", "index", "lines", "simple", "spec")

    def __init__(self, spec: Queue, index: int) -> None:
        self.spec = spec
        self.index = index
        self.lines: dict[tuple[int, str], WaitLine[Work, Pool]] = {}
        #: The first step's lines by channel (the same lines: a lookup without a tuple).
        self.first: dict[str, WaitLine[Work, Pool]] = {}
        #: One step and no overflow: no step expiry, no overflow timer to think of.
        self.simple = len(spec.steps) == 1 and spec.overflow is None

    def waiting(self) -> int:
        return sum(line.live for line in self.lines.values())


class _InteractionView:
    """The environment of ``accepts``: the interaction's fields plus ``customer``."""

    __slots__ = ("_interaction", "customer")

    def __init__(self, interaction: Interaction, customer: Contact | None) -> None:
        self._interaction = interaction
        self.customer = customer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._interaction, name)


def _invalid(title: str, field: str, message: str) -> ValidationError:
    return ValidationError(title, [ErrorDetail([field], message)])


_INF: Final = float("inf")
_NEG_INF: Final = float("-inf")


def checked_time(value: Any, title: str, field: str) -> float:
    """``value`` as a time in seconds: an int or float (a float subclass such as
    ``numpy.float64`` becomes a plain float), finite; otherwise a ValidationError naming
    ``field`` (a clock returning NaN or infinity would stop time or never let a timer be
    due). The hot path calls this only when the value is not a plain finite float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(title, field, f"must be seconds (a finite number), not {value!r}")
    try:
        seconds = float(value)
    except OverflowError:  # an int beyond any float
        seconds = _INF
    if not _NEG_INF < seconds < _INF:
        raise _invalid(title, field, f"must be finite seconds, not {value!r}")
    # A float subclass becomes a plain float; ints stay exact (as they always were).
    return value if type(value) is int else seconds


def checked_head_start(value: Any) -> float:
    """A priority hook's answer: finite seconds of head start (any sign), as a float."""
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _invalid("priority", "head_start", f"must be seconds, not {value!r}") from None
    if not _NEG_INF < seconds < _INF:
        raise _invalid("priority", "head_start", f"must be finite seconds, not {value!r}")
    return seconds


def checked_seconds(value: Any, title: str, field: str, *, positive: bool) -> float:
    """A finite duration in seconds >= 0 (> 0 with ``positive``), as a plain float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(title, field, f"must be seconds (a finite number), not {value!r}")
    try:
        seconds = float(value)
    except OverflowError:
        seconds = _INF
    if not (0.0 < seconds < _INF if positive else 0.0 <= seconds < _INF):
        bound = "> 0" if positive else ">= 0"
        raise _invalid(title, field, f"must be finite seconds {bound}, not {value!r}")
    return seconds


class _RouterCore:
    """The router's state and what every layer above builds on (see the module doc)."""

    def __init__(
        self,
        queues: Iterable[Queue],
        selection: Any,
        clock: Callable[[], float],
        channels: ChannelRegistry | None,
        offer_timeout: float | None,
        priority: PriorityStrategy | None,
        sla: ServiceLevelHook | None,
        rng: random.Random | None,
        *,
        four_eyes: FourEyes | None,
        keep_finished: int | None,
    ) -> None:
        """Check the settings and set up the state (the parameters are :class:`Router`'s;
        its own ``__init__`` attaches blending and the journal, which need the whole router)."""
        if not callable(clock):
            raise _invalid("Router", "clock", "must be a zero-argument callable returning seconds")
        if offer_timeout is not None:
            offer_timeout = checked_seconds(offer_timeout, "Router", "offer_timeout", positive=True)
        if channels is not None and not isinstance(channels, ChannelRegistry):
            raise _invalid("Router", "channels", "must be an om.ChannelRegistry")
        if priority is not None and not callable(priority):
            raise _invalid("Router", "priority", "must be a callable (interaction, now) -> seconds")
        if sla is not None and not (callable(getattr(sla, "deadline", None))):
            raise _invalid("Router", "sla", "needs a deadline(interaction, traits, submitted_at)")
        if rng is not None and not isinstance(rng, random.Random):
            raise _invalid("Router", "rng", "must be a random.Random")
        if keep_finished is not None and (
            isinstance(keep_finished, bool)
            or not isinstance(keep_finished, int)
            or keep_finished < 0
        ):
            raise _invalid(
                "Router", "keep_finished", f"must be a count >= 0 or None, not {keep_finished!r}"
            )
        self._clock = clock
        self._registry = channels if channels is not None else ChannelRegistry()
        self._offer_timeout = None if offer_timeout is None else float(offer_timeout)
        self._priority: PriorityStrategy = priority or manual_priority_head_start
        self._sla = sla
        self._rng = rng if rng is not None else random.Random(0)
        self._policy = _selection.resolve(selection)
        self._policy.bind(self._rng)
        self._key = self._policy.key
        # The policy's hooks only when it declares them (skipped on the hot path otherwise).
        self._policy_gates = self._policy.gates
        self._policy_tracks = self._policy.tracks_assignments
        self._indexed = self._policy.indexed
        # None tells the pools to key by idle-since directly (longest idle, the default).
        self._heap_key = None if self._policy.keys_by_idle_time else self._policy.key
        self._four_eyes = four_eyes
        self._lock = threading.RLock()
        self._queues: dict[str, _QueueState] = {}
        self._accepting: list[_QueueState] = []
        self._install_queues(list(queues) or [Queue("default")])
        self._pools: dict[tuple[str, str], Pool] = {}
        self._agents: dict[str, AgentState] = {}
        self._work: dict[str, Work] = {}
        self._finished: dict[str, S] = {}
        self._keep_finished = keep_finished
        #: With keep_finished: ids in the order they may be forgotten (see _forget_finished).
        self._forgettable: deque[str] = deque()
        self._pinned: dict[str, list[Work]] = {}
        self._last_agent: dict[str, str] = {}
        self._advisor_of: dict[str, str] = {}
        self._timers: Timers = TimerHeap()
        self._seq = 0
        self._agent_seq = 0
        self._now = float("-inf")
        self._subscribers: list[tuple[Callable[[Event], object], frozenset[str] | None]] = []
        self._routes: dict[str, tuple[Callable[[Event], object], ...]] = {}
        self._catch_all: tuple[Callable[[Event], object], ...] = ()
        self._wants_all = False
        self._wanted: frozenset[str] = frozenset()
        #: Subscribers that asked for personal data (a bot's transcript) in events.
        self._personal: frozenset[Callable[[Event], object]] = frozenset()
        self._pending: deque[Event] = deque()
        self._depth = 0
        self._flushing = False
        self._command_listeners: list[Callable[[str, dict[str, Any], float], object]] = []
        self._command_checks: list[Callable[[str, dict[str, Any], float], object]] = []
        self._commit_hooks: list[Callable[[], object]] = []
        #: What code outside the routing core reads (and its add-ons registry).
        self._view = RouterView(self)
        #: Work waiting per channel (blending conditions read it).
        self._tallies: dict[str, Tally] = {}
        self._blending: Blender | None = None

    # ------------------------------------------------------------------ configuration

    def _install_queues(self, queues: list[Queue]) -> None:
        names: set[str] = set()
        for index, spec in enumerate(queues):
            if not isinstance(spec, Queue):
                raise _invalid("Router", f"queues.{index}", f"must be an om.Queue, not {spec!r}")
            if spec.name in names or spec.name == _REVIEW_QUEUE:
                raise _invalid("Router", f"queues.{index}.name", f"duplicate queue {spec.name!r}")
            names.add(spec.name)
        for index, spec in enumerate(queues):
            if spec.overflow is not None and spec.overflow.queue not in names:
                raise _invalid(
                    "Router", f"queues.{index}.overflow", f"unknown queue {spec.overflow.queue!r}"
                )
            state = _QueueState(spec, index)
            self._queues[spec.name] = state
            self._accepting.append(state)
        if self._four_eyes is not None:
            review = Queue(_REVIEW_QUEUE, steps=[Step(self._four_eyes.reviewer)])
            self._queues[_REVIEW_QUEUE] = _QueueState(review, len(queues))
        paths = sorted({p for q in self._accepting for p in q.spec.accepts_expression.paths})
        self._accept_readers = tuple(compile_path(p.split(".")) for p in paths)
        # One plain field of the interaction (``reason``, ``channel``...): read it directly
        # on the hot path (the compiled reader gives the same value, through more calls).
        self._accept_field: Callable[[Interaction], Any] | None = (
            operator.attrgetter(paths[0])
            if len(paths) == 1 and paths[0] in Interaction.model_fields
            else None
        )
        self._accept_memo: dict[tuple[Any, ...], _QueueState] = {}

    @property
    def queues(self) -> tuple[Queue, ...]:
        """The queues, in the order their ``accepts`` are tried."""
        return tuple(q.spec for q in self._accepting)

    @property
    def channels(self) -> ChannelRegistry:
        """The channel registry this router routes by."""
        return self._registry

    @property
    def selection(self) -> _selection.SelectionPolicy:
        """The agent selection policy."""
        return self._policy

    def _queue_for(self, interaction: Interaction, customer: Contact | None) -> _QueueState:
        env: Any = interaction if customer is None else _InteractionView(interaction, customer)
        key: Any
        readers = self._accept_readers
        if len(readers) == 1:
            value = readers[0](env)
            key = (type(value), value)
        else:
            key = tuple([(type(v), v) for v in [read(env) for read in readers]])
        try:
            hash(key)
        except TypeError:
            key = None
        if key is not None:
            found = self._accept_memo.get(key)
            if found is not None:
                return found
        for queue in self._accepting:
            if queue.spec.accepts_expression.matches(env):
                if key is not None:
                    if len(self._accept_memo) >= _MEMO_LIMIT:
                        self._accept_memo.clear()
                    self._accept_memo[key] = queue
                return queue
        raise NoQueueError(
            f"no queue accepts interaction {interaction.id!r} "
            f"(tried {', '.join(q.spec.name for q in self._accepting)})"
        )

    # ------------------------------------------------------------------ events out

    def _flush(self) -> None:
        self._flushing = True
        try:
            pending = self._pending
            while pending:
                event = pending.popleft()
                # Read per event: a callback may (un)subscribe; later events see that.
                callbacks = self._routes.get(event.kind, self._catch_all)
                if "handover" in event.detail:
                    self._deliver_handover(event, callbacks)
                    continue
                for callback in callbacks:
                    callback(event)
        finally:
            self._flushing = False

    def _deliver_handover(
        self, event: Event, callbacks: tuple[Callable[[Event], object], ...]
    ) -> None:
        # The bot's transcript and extracted data are personal: only subscribers that
        # asked for them (personal_data=True) see them; the others see the bot's name.
        handover = event.detail["handover"]
        plain = event._replace(detail={**event.detail, "handover": {"bot": handover.get("bot")}})
        personal = self._personal
        for callback in callbacks:
            callback(event if callback in personal else plain)

    def subscribe(
        self,
        callback: Callable[[Event], object],
        kinds: Iterable[str] | None = None,
        *,
        personal_data: bool = False,
    ) -> Callable[[], None]:
        """Call ``callback(event)`` for every event (or only those of ``kinds``), in order.

        Returns a function that unsubscribes. Callbacks run synchronously after the
        operation that caused them, and may call the router again. A bot hand-over's
        transcript and extracted data ride on ``detail["handover"]`` only for callbacks
        subscribed with ``personal_data=True``; the others see ``{"bot": name}``.
        """
        if not callable(callback):
            raise _invalid("subscribe", "callback", f"{callback!r} is not callable")
        wanted = None if kinds is None else frozenset(kinds)
        entry = (callback, wanted)
        with self._lock:
            self._subscribers.append(entry)
            if personal_data:
                self._personal = self._personal | {callback}
            self._update_wanted()

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)
                    if not any(cb is callback for cb, _ in self._subscribers):
                        self._personal = self._personal - {callback}
                    self._update_wanted()

        return unsubscribe

    def _update_wanted(self) -> None:
        # Per kind, the callbacks that want it in subscription order (fresh tuples per
        # change: a flush in progress keeps iterating the old ones).
        subscribers = self._subscribers
        self._catch_all = tuple(cb for cb, kinds in subscribers if kinds is None)
        self._routes = {
            kind: tuple(cb for cb, kinds in subscribers if kinds is None or kind in kinds)
            for kind in EVENT_KINDS.union(*(k for _, k in subscribers if k is not None))
        }
        self._wants_all = any(kinds is None for _, kinds in self._subscribers)
        self._wanted = frozenset().union(*(k for _, k in self._subscribers if k is not None))

    def add_command_listener(
        self, listener: Callable[[str, dict[str, Any], float], object]
    ) -> Callable[[], None]:
        """Tell ``listener(name, arguments, at)`` every state-changing call that succeeded.

        ``arguments`` is plain JSON-able data such that ``execute(name, arguments)``
        at the same time repeats the call (what a journal needs). A failed call that
        fired due timers first is told as ``tick`` at its time. Returns a remover.
        """
        with self._lock:
            self._command_listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._command_listeners:
                    self._command_listeners.remove(listener)

        return remove

    def add_command_check(
        self, check: Callable[[str, dict[str, Any], float], object]
    ) -> Callable[[], None]:
        """Call ``check(name, arguments, at)`` before every state-changing call runs.

        ``arguments`` are the same plain data command listeners get. A check that raises
        refuses the call: it changes nothing (due timers are not fired either) and the
        error reaches the caller. A journal uses this to refuse a command it could not
        store before the command is applied. Returns a remover.
        """
        with self._lock:
            self._command_checks.append(check)

        def remove() -> None:
            with self._lock:
                if check in self._command_checks:
                    self._command_checks.remove(check)

        return remove

    def add_commit_hook(self, hook: Callable[[], object]) -> Callable[[], None]:
        """Call ``hook()`` at the end of every outermost call, once its events were
        delivered (still under the router's lock): where a journal makes the call
        durable before it returns. Returns a remover."""
        with self._lock:
            self._commit_hooks.append(hook)

        def remove() -> None:
            with self._lock:
                if hook in self._commit_hooks:
                    self._commit_hooks.remove(hook)

        return remove

    @property
    def view(self) -> RouterView:
        """The read-only view of this router that operations, reports and tools use."""
        return self._view

    def _emit(
        self,
        kind: str,
        now: float,
        work: Work | None,
        agent_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        if self._wants_all or kind in self._wanted:
            if work is None:
                self._pending.append(new_event(kind, now, None, agent_id, None, None, detail or {}))
            else:
                self._pending.append(
                    new_event(
                        kind,
                        now,
                        work.id,
                        agent_id,
                        work.queue,
                        work.interaction.channel,
                        detail or {},
                    )
                )

    # ------------------------------------------------------------------ lookups

    def _agent(self, agent_id: str) -> AgentState:
        try:
            return self._agents[agent_id]
        except (KeyError, TypeError):
            raise UnknownAgentError(str(agent_id), self._agents) from None

    def _active(self, interaction_id: str) -> Work:
        try:
            return self._work[interaction_id]
        except (KeyError, TypeError):
            if interaction_id in self._finished:
                raise InvalidStateError(
                    f"{interaction_id!r} is already {self._finished[interaction_id].value}"
                ) from None
            raise UnknownInteractionError(str(interaction_id)) from None

    def _check_new(self, interaction: Interaction) -> ChannelTraits:
        if interaction.id in self._work or interaction.id in self._finished:
            raise DuplicateIdError(f"interaction {interaction.id!r} was already submitted")
        try:
            return self._registry.get(interaction.channel)
        except UnknownChannelError:
            raise UnknownChannelError(interaction.channel, self._registry.names()) from None

    # ------------------------------------------------------------------ pools and lines

    def _pool(self, expression: Expression, channel: str) -> Pool:
        key = (expression.source, channel)
        pool = self._pools.get(key)
        if pool is None:
            dynamic = bool(expression.roots & {"interaction", "advisor", "customer"})
            pool = Pool(len(self._pools), expression, channel, dynamic)
            self._pools[key] = pool
            for agent in self._agents.values():
                if pool.admit(agent, self._registry):
                    agent.skills_for(channel, self._registry)
        return pool

    def _line(self, queue: _QueueState, step: int, channel: str) -> WaitLine[Work, Pool]:
        line = queue.lines.get((step, channel))
        if line is None:
            pool = self._pool(queue.spec.steps[step].expression, channel)
            tally = self._tallies.get(channel)
            if tally is None:
                tally = self._tallies[channel] = Tally()
            line = WaitLine(queue.spec.name, step, pool, tally)
            queue.lines[(step, channel)] = line
            if step == 0:
                queue.first[channel] = line
        return line
