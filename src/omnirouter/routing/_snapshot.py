"""``Router.snapshot`` and ``Router.restore``: the whole state as plain data, and back.

The restored router continues exactly: waiting order (each work's key and sequence),
timers (with their sequence numbers and tokens), agents' loads and idle times, the
round-robin position, the random generator, offers in flight, the memory bound
(``keep_finished``) and the order in which finished work is forgotten.

``restore`` checks everything before it builds anything: the shape, types and numbers
(:mod:`._snapshot_model`), then what refers to what (no duplicate ids, work held only
by agents that exist and that hold it, no agent over capacity, parts and their
parents, known queues, steps and channels). A bad snapshot raises
:class:`~omnirouter.ValidationError` naming the path; nothing else escapes.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic

from omnirouter.dispatch.states import load as load_state
from omnirouter.errors import ErrorDetail, OmnirouterError, ValidationError
from omnirouter.model import NO_LIMITS, Agent, ChannelRegistry, Contact, Interaction
from omnirouter.routing import selection as _selection
from omnirouter.routing._agents import AVAILABLE, AgentState
from omnirouter.routing._capacity import load_of
from omnirouter.routing._snapshot_model import FORMAT, RouterSnapshot, WorkRecord, parse
from omnirouter.routing._work import Work
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.routing.router import PriorityStrategy, Router, ServiceLevelHook

__all__ = ["restore", "snapshot"]

_T = TypeVar("_T")

_REVIEW_QUEUE = "four_eyes_review"
#: What a malformed part of a snapshot may raise while its own parser reads it.
_MALFORMED = (OmnirouterError, pydantic.ValidationError, KeyError, TypeError, ValueError)


def snapshot(router: Router) -> dict[str, Any]:
    """The router's state as JSON-able data."""
    policy = router._policy
    return {
        "format": FORMAT,
        "now": router._now if router._now != float("-inf") else None,
        "seq": router._seq,
        "agent_seq": router._agent_seq,
        "timer_seq": router._timers.seq,
        "offer_timeout": router._offer_timeout,
        "queues": [q.to_json() for q in router.queues],
        "channels": router.channels.to_json(),
        "selection": {"config": policy.config(), "state": policy.state()},
        "agents": [
            {
                "agent": a.agent.model_dump(mode="json", exclude_defaults=True),
                "seq": a.seq,
                "presence": a.presence,
                "idle_since": a.idle_since,
                "items": dict(a.items),
                "wrapping": dict(a.wrapping),
                "paused": dict(a.paused),
                "recent": list(a.recent),
            }
            for a in router._agents.values()
        ],
        "work": [w.to_json() for w in sorted(router._work.values(), key=lambda w: w.seq)],
        "finished": {key: state.value for key, state in router._finished.items()},
        "keep_finished": router._keep_finished,
        "forgettable": list(router._forgettable),
        "last_agent": dict(router._last_agent),
        "timers": router._timers.to_json(),
        **({} if router._blending is None else {"blending": router._blending.to_json()}),
    }


class _Problems:
    """Every cross-reference problem found, raised together."""

    def __init__(self) -> None:
        self.details: list[ErrorDetail] = []

    def add(self, path: str, message: str) -> None:
        self.details.append(ErrorDetail(path.split("."), message))

    def raise_any(self) -> None:
        if self.details:
            raise ValidationError("Router snapshot", self.details)


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError("Router snapshot", [ErrorDetail(field.split("."), message)])


def _read(field: str, parse_part: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """``parse_part(*args, **kwargs)``, its errors named by ``field``."""
    try:
        return parse_part(*args, **kwargs)
    except ValidationError as error:
        details = [ErrorDetail([*field.split("."), *d.path], d.message) for d in error.errors]
        raise ValidationError("Router snapshot", details) from error
    except _MALFORMED as error:
        raise _bad(field, f"malformed: {error}") from error


def restore(
    cls: type[Router],
    data: Mapping[str, Any],
    *,
    queues: Iterable[Queue] | None,
    selection: Any,
    clock: Callable[[], float],
    channels: ChannelRegistry | None,
    priority: PriorityStrategy | None,
    sla: ServiceLevelHook | None,
    rng: random.Random | None,
    four_eyes: FourEyes | None,
    blending: Iterable[Any] | None = None,
) -> Router:
    """A router rebuilt from :func:`snapshot` data, checked in full first."""
    saved = parse(data)
    registry = (
        channels if channels is not None else _read("channels", _channels_from, saved.channels)
    )
    queue_specs = (
        list(queues)
        if queues is not None
        else [
            _read(f"queues.{n}", Queue.from_json, q.model_dump())
            for n, q in enumerate(saved.queues)
        ]
    )
    if selection is None:
        config = saved.selection.config
        if config is None:
            raise _bad("selection", "the snapshot used a callable policy: pass selection= again")
        selection = _read("selection.config", _selection.from_config, config)
    blend_state = saved.blending
    if blending is None and blend_state is not None:
        from omnirouter.routing._blend_engine import policies_from_snapshot

        blending = _read("blending.rules", policies_from_snapshot, blend_state.model_dump())
    agents = [
        (_read(f"agents.{n}.agent", registry.validate, Agent, r.agent, limits=NO_LIMITS), r)
        for n, r in enumerate(saved.agents)
    ]
    work = [(_read(f"work.{n}", _interaction_of, registry, r), r) for n, r in enumerate(saved.work)]
    queue_steps = {q.name: len(q.steps) for q in queue_specs}
    if four_eyes is not None:
        queue_steps[_REVIEW_QUEUE] = 1
    _check_references(saved, registry, agents, work, queue_steps)

    router: Router = _read(
        "<root>",
        cls,
        queue_specs,
        selection,
        clock,
        registry,
        saved.offer_timeout,
        priority,
        sla,
        rng,
        four_eyes=four_eyes,
        blending=blending or (),
        keep_finished=saved.keep_finished,
    )
    _read("selection.state", router._policy.restore_state, dict(saved.selection.state))
    _fill(router, saved, registry, agents, work)
    if router._blending is not None and blend_state is not None:
        _read("blending", router._blending.load_state, blend_state.model_dump())
    return router


def _channels_from(data: list[dict[str, Any]]) -> ChannelRegistry:
    registry = ChannelRegistry.from_json(data)
    if len(registry) != len(data):
        raise _bad("channels", "a channel is listed twice")
    for traits in registry:
        if traits.family is not None and traits.family not in registry:
            raise _bad("channels", f"{traits.name}'s family {traits.family!r} is not listed")
    return registry


def _interaction_of(
    registry: ChannelRegistry, record: WorkRecord
) -> tuple[Interaction, Contact | None]:
    # Checked against the host's field limits when it was submitted; not again here.
    interaction = _read(
        "interaction", registry.validate, Interaction, record.interaction, limits=NO_LIMITS
    )
    customer = None
    if record.customer is not None:
        customer = _read(
            "customer", Contact.model_validate, record.customer, context={"limits": NO_LIMITS}
        )
    return interaction, customer


def _check_references(
    saved: RouterSnapshot,
    registry: ChannelRegistry,
    agents: list[tuple[Agent, Any]],
    work: list[tuple[tuple[Interaction, Contact | None], WorkRecord]],
    queue_steps: Mapping[str, int],
) -> None:
    problems = _Problems()
    agent_at: dict[str, int] = {}
    for n, (agent, record) in enumerate(agents):
        if agent.id in agent_at:
            problems.add(f"agents.{n}.agent.id", f"duplicate agent {agent.id!r}")
        agent_at[agent.id] = n
        if record.seq > saved.agent_seq:
            problems.add(f"agents.{n}.seq", f"{record.seq} is beyond agent_seq {saved.agent_seq}")
    if len({r.seq for _, r in agents}) != len(agents):
        problems.add("agents", "two agents with the same seq")
    work_at: dict[str, int] = {}
    for n, ((interaction, _), record) in enumerate(work):
        if interaction.id in work_at:
            problems.add(f"work.{n}.interaction.id", f"duplicate interaction {interaction.id!r}")
        if interaction.id in saved.finished:
            problems.add(f"work.{n}.interaction.id", f"{interaction.id!r} is also finished")
        work_at[interaction.id] = n
        if record.seq > saved.seq:
            problems.add(f"work.{n}.seq", f"{record.seq} is beyond seq {saved.seq}")
    if len({r.seq for _, r in work}) != len(work):
        problems.add("work", "two interactions with the same seq")
    if len({t[1] for t in saved.timers}) != len(saved.timers):
        problems.add("timers", "two timers with the same seq")
    if any(t[1] > saved.timer_seq for t in saved.timers):
        problems.add("timers", f"a timer's seq is beyond timer_seq {saved.timer_seq}")

    # Work: where its state says it is.
    for n, ((interaction, _), record) in enumerate(work):
        at = f"work.{n}"
        state = record.state
        if record.queue is None or record.queue not in queue_steps:
            problems.add(f"{at}.queue", f"unknown queue {record.queue!r}")
        elif record.step >= queue_steps[record.queue]:
            problems.add(f"{at}.step", f"queue {record.queue!r} has no step {record.step}")
        held = state in ("offered", "assigned", "paused")
        if held != (record.agent is not None):
            problems.add(f"{at}.agent", f"{state} work {'needs' if held else 'has no'} agent")
        elif record.agent is not None:
            holder = agent_at.get(record.agent)
            where = "paused" if state == "paused" else "items"
            if holder is None:
                problems.add(f"{at}.agent", f"unknown agent {record.agent!r}")
            elif getattr(agents[holder][1], where).get(interaction.id) != interaction.channel:
                problems.add(f"{at}.agent", f"agent {record.agent!r} does not hold it")
        if record.pinned is not None and (state != "queued" or record.pinned not in agent_at):
            problems.add(f"{at}.pinned", f"cannot be reserved for {record.pinned!r}")
        if state == "waiting_for_children" and not record.children:
            problems.add(f"{at}.children", "waits for parts but has none")
        if record.parent is not None:
            parent = work_at.get(record.parent)
            if parent is None or interaction.id not in work[parent][1].children:
                problems.add(f"{at}.parent", f"{record.parent!r} is not an open parent of it")
        elif record.kind != "work":
            problems.add(f"{at}.kind", f"a {record.kind} needs a parent")
        for child in record.children:
            if child not in work_at and child not in saved.finished:
                problems.add(f"{at}.children", f"unknown part {child!r}")
    # Agents: hold only what the work table says, within their capacity.
    for n, (agent, record) in enumerate(agents):
        at = f"agents.{n}"
        for where, states in (("items", ("offered", "assigned")), ("paused", ("paused",))):
            for work_id in getattr(record, where):
                found = work_at.get(work_id)
                if found is None or work[found][1].state not in states:
                    problems.add(f"{at}.{where}", f"{work_id!r} is not {' or '.join(states)} work")
                elif work[found][1].agent != agent.id:
                    problems.add(f"{at}.{where}", f"{work_id!r} is held by someone else")
        load = load_of(agent, registry)
        for channel in [*record.items.values(), *record.wrapping.values()]:
            if channel not in registry:
                problems.add(at, f"unknown channel {channel!r}")
                continue
            reason = load.reason(channel)
            if reason is not None:
                problems.add(at, f"over capacity: {reason}")
                break
            load.add(channel)
        for channel in record.paused.values():
            if channel not in registry:
                problems.add(f"{at}.paused", f"unknown channel {channel!r}")
    problems.raise_any()


def _fill(
    router: Router,
    saved: RouterSnapshot,
    registry: ChannelRegistry,
    agents: list[tuple[Agent, Any]],
    work: list[tuple[tuple[Interaction, Contact | None], WorkRecord]],
) -> None:
    """Put the checked state into the new router."""
    for agent, item in agents:
        state = AgentState(agent, registry, item.seq, item.idle_since)
        state.presence = item.presence
        state.present = state.presence == AVAILABLE
        for work_id, channel in item.items.items():
            state.items[work_id] = channel
            state.load.add(channel)
        state.paused = dict(item.paused)
        for work_id, channel in item.wrapping.items():
            state.wrapping[work_id] = channel
            state.load.add(channel)
        state.recent = deque(item.recent)
        router._agents[agent.id] = state
        if router._blending is not None:
            router._blending.attach(state)
        for customer_id in agent.portfolio:
            router._advisor_of.setdefault(customer_id, agent.id)
    router._agent_seq = saved.agent_seq
    for n, ((interaction, customer), item) in enumerate(work):
        record = _work_from(registry, interaction, customer, item, f"work.{n}.state")
        router._work[record.id] = record
        if item.state == "queued":
            if record.pinned is not None:
                router._pinned.setdefault(record.pinned, []).append(record)
            else:
                queue = router._queues[record.queue or ""]
                router._line(queue, record.step, interaction.channel).push(record)
    router._seq = saved.seq
    router._finished = {key: _END[value] for key, value in saved.finished.items()}
    router._forgettable = deque(saved.forgettable)
    router._last_agent = dict(saved.last_agent)
    router._timers.load(saved.timers, saved.timer_seq)
    if saved.now is not None:
        router._now = saved.now


def _work_from(
    registry: ChannelRegistry,
    interaction: Interaction,
    customer: Contact | None,
    item: WorkRecord,
    field: str,
) -> Work:
    work = Work(interaction, registry.get(interaction.channel), item.seq, 0.0, customer)
    load_state(work, item.state, field)
    work.submitted_at = item.submitted_at
    work.enqueued_at = item.enqueued_at
    work.head_start = item.head_start
    work.order_key = work.enqueued_at - work.head_start
    work.queue = item.queue
    work.step = item.step
    work.step_started_at = item.step_started_at
    work.step_token = item.step_token
    work.offer_token = item.offer_token
    work.agent = item.agent
    work.pinned = item.pinned
    work.excluded = set(item.excluded)
    work.parent = item.parent
    work.children = list(item.children)
    work.answered = item.answered
    work.kind = item.kind
    work.paused_at = item.paused_at
    work.paused_seconds = item.paused_seconds
    return work


def _end_states() -> dict[str, Any]:
    from omnirouter.model import InteractionState

    return {state.value: state for state in InteractionState if state.terminal}


_END = _end_states()
