"""``Router.snapshot`` and ``Router.restore``: the whole state as plain data, and back.

The restored router continues exactly: waiting order (each work's key and sequence),
timers (with their sequence numbers and tokens), agents' loads and idle times, the
round-robin position, the random generator, offers in flight.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model import (
    NO_LIMITS,
    Agent,
    ChannelRegistry,
    Contact,
    Interaction,
    InteractionState,
)
from omnirouter.routing import selection as _selection
from omnirouter.routing._agents import AVAILABLE, AgentState
from omnirouter.routing._work import Work
from omnirouter.routing.queues import FourEyes, Queue

if TYPE_CHECKING:
    from omnirouter.routing.router import PriorityStrategy, Router, ServiceLevelHook

__all__ = ["restore", "snapshot"]

FORMAT = 1


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
        "last_agent": dict(router._last_agent),
        "timers": router._timers.to_json(),
        **({} if router._blending is None else {"blending": router._blending.to_json()}),
    }


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError("Router snapshot", [ErrorDetail([field], message)])


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
    """A router rebuilt from :func:`snapshot` data."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise _bad("format", f"not a router snapshot of format {FORMAT}")
    try:
        return _restore(
            cls, data, queues, selection, clock, channels, priority, sla, rng, four_eyes, blending
        )
    except (KeyError, TypeError, IndexError) as error:
        raise _bad("<root>", f"incomplete or malformed snapshot: {error!r}") from error


def _restore(
    cls: type[Router],
    data: Mapping[str, Any],
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
    registry = channels if channels is not None else ChannelRegistry.from_json(data["channels"])
    queue_specs = (
        list(queues) if queues is not None else [Queue.from_json(q) for q in data["queues"]]
    )
    if selection is None:
        config = data["selection"]["config"]
        if config is None:
            raise _bad("selection", "the snapshot used a callable policy: pass selection= again")
        selection = _selection.from_config(config)
    blend_state = data.get("blending")
    if blending is None and blend_state is not None:
        from omnirouter.routing._blend_engine import policies_from_snapshot

        blending = policies_from_snapshot(blend_state)
    router = cls(
        queue_specs,
        selection,
        clock,
        registry,
        data.get("offer_timeout"),
        priority,
        sla,
        rng,
        four_eyes=four_eyes,
        blending=blending or (),
    )
    router._policy.restore_state(data["selection"].get("state", {}))
    for item in data["agents"]:
        agent = registry.validate(Agent, item["agent"], limits=NO_LIMITS)
        state = AgentState(agent, registry, int(item["seq"]), float(item["idle_since"]))
        state.presence = item["presence"]
        state.present = state.presence == AVAILABLE
        for work_id, channel in item["items"].items():
            state.items[work_id] = channel
            state.load.add(channel)
        state.paused = dict(item.get("paused", {}))
        for work_id, channel in item["wrapping"].items():
            state.wrapping[work_id] = channel
            state.load.add(channel)
        state.recent = deque(float(t) for t in item["recent"])
        router._agents[agent.id] = state
        if router._blending is not None:
            router._blending.attach(state)
        for customer_id in agent.portfolio:
            router._advisor_of.setdefault(customer_id, agent.id)
    router._agent_seq = int(data["agent_seq"])
    for item in data["work"]:
        work = _work_from_json(router, registry, item)
        router._work[work.id] = work
        if work.state is InteractionState.QUEUED:
            if work.pinned is not None:
                router._pinned.setdefault(work.pinned, []).append(work)
            else:
                queue = router._queues[work.queue or ""]
                router._line(queue, work.step, work.interaction.channel).push(work)
    router._seq = int(data["seq"])
    router._finished = {key: InteractionState(value) for key, value in data["finished"].items()}
    router._last_agent = dict(data["last_agent"])
    router._timers.load(data["timers"], int(data["timer_seq"]))
    if data.get("now") is not None:
        router._now = float(data["now"])
    if router._blending is not None and blend_state is not None:
        router._blending.load_state(blend_state)
    return router


def _work_from_json(router: Router, registry: ChannelRegistry, item: Mapping[str, Any]) -> Work:
    # Checked against the host's field limits when it was submitted; not again here.
    interaction = registry.validate(Interaction, item["interaction"], limits=NO_LIMITS)
    customer = (
        None
        if item.get("customer") is None
        else Contact.model_validate(item["customer"], context={"limits": NO_LIMITS})
    )
    work = Work(interaction, registry.get(interaction.channel), int(item["seq"]), 0.0, customer)
    work.state = InteractionState(item["state"])
    work.submitted_at = float(item["submitted_at"])
    work.enqueued_at = float(item["enqueued_at"])
    work.head_start = float(item["head_start"])
    work.order_key = work.enqueued_at - work.head_start
    work.queue = item["queue"]
    work.step = int(item["step"])
    work.step_started_at = float(item["step_started_at"])
    work.step_token = int(item["step_token"])
    work.offer_token = int(item["offer_token"])
    work.agent = item["agent"]
    work.pinned = item["pinned"]
    work.excluded = set(item["excluded"])
    work.parent = item["parent"]
    work.children = list(item["children"])
    work.answered = bool(item["answered"])
    work.kind = item["kind"]
    paused_at = item.get("paused_at")
    work.paused_at = None if paused_at is None else float(paused_at)
    work.paused_seconds = float(item.get("paused_seconds", 0.0))
    return work
