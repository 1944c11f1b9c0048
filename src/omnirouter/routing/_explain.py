"""``Router.explain``: where the work is, who could take it, and why the others cannot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from omnirouter.model import InteractionState
from omnirouter.routing._agents import AgentState, Pool
from omnirouter.routing._expr_runtime import compile_path
from omnirouter.routing._work import Work
from omnirouter.routing.queues import DYNAMIC_ROOTS

if TYPE_CHECKING:
    from omnirouter.routing.router import Router

__all__ = ["explain"]


def _target_kind(pool: Pool) -> str:
    paths = pool.expression.paths
    agent_paths = {p for p in paths if p.split(".", 1)[0] not in DYNAMIC_ROOTS}
    if agent_paths and all(p.startswith("skills.") for p in agent_paths):
        return "skill"
    if agent_paths == {"languages"}:
        return "language"
    return "target"


def _facts(router: Router, pool: Pool, agent: AgentState) -> dict[str, Any]:
    view = agent.view(pool.channel, router.channels)
    facts: dict[str, Any] = {}
    for path in sorted(pool.expression.paths):
        if path.split(".", 1)[0] in DYNAMIC_ROOTS:
            continue
        facts[path] = compile_path(path.split("."))(view)
    return facts


def _exclusion(
    router: Router, work: Work, pool: Pool, agent: AgentState, now: float
) -> dict[str, Any] | None:
    channel = work.interaction.channel
    if work.pinned is not None and work.pinned != agent.id:
        return {"reason": "reserved", "detail": f"transferred to agent {work.pinned}"}
    if not agent.present:
        return {"reason": "presence", "detail": agent.presence}
    if not agent.load.allows(channel):
        return {"reason": "channel", "detail": f"may not take {channel} work"}
    if work.pinned is None:
        matches = router._matches(pool, agent, work) if pool.dynamic else agent.id in pool.members
        if not matches:
            return {
                "reason": _target_kind(pool),
                "detail": f"target {pool.expression.source!r} not met",
                "facts": _facts(router, pool, agent),
            }
    if agent.id in work.excluded:
        return {"reason": "declined", "detail": "declined or let the offer time out"}
    why = agent.load.why_not(channel)
    if why is not None:
        return {"reason": "capacity", "detail": why}
    if not router.selection.admits(agent, now):
        return {"reason": "fairness", "detail": "at the selection policy's cap"}
    return None


def explain(router: Router, interaction_id: str) -> dict[str, Any]:
    """The explanation of one interaction as plain data (see ``Router.explain``)."""
    work = router._work.get(interaction_id)
    if work is None:
        state = router.state_of(interaction_id)
        return {"interaction_id": interaction_id, "state": state.value, "terminal": True}
    now = router._now
    queue = router._queues[work.queue] if work.queue is not None else None
    step = queue.spec.steps[work.step] if queue is not None else None
    result: dict[str, Any] = {
        "interaction_id": work.id,
        "state": work.state.value,
        "terminal": False,
        "channel": work.interaction.channel,
        "queue": work.queue,
        "step": work.step,
        "steps": len(queue.spec.steps) if queue is not None else 0,
        "target": step.target if step is not None else None,
        "step_started_at": work.step_started_at,
        "enqueued_at": work.enqueued_at,
        "head_start": work.head_start,
        "order_key": work.order_key,
        "agent": work.agent,
        "pinned_to": work.pinned,
        "declined_by": sorted(work.excluded),
        "policy": router.selection.name,
        "candidates": [],
        "excluded": [],
    }
    if work.state is not InteractionState.QUEUED or step is None:
        return result
    pool = router._pool(step.expression, work.interaction.channel)
    candidates: list[AgentState] = []
    for agent in router._agents.values():
        why = _exclusion(router, work, pool, agent, now)
        if why is None:
            candidates.append(agent)
        else:
            result["excluded"].append({"agent_id": agent.id, **why})
    scores = [(router.selection.score(a, pool, now), a.id) for a in candidates]
    scores.sort(key=lambda pair: -pair[0])
    result["candidates"] = [{"agent_id": agent_id, "score": score} for score, agent_id in scores]
    return result
