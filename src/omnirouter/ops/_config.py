"""The router's configuration as data: what a journal records with every snapshot, so
that recovery can tell whether it replays under the configuration that was recorded.

Settings that are data (queues, channels, the offer timeout, built-in selection
policies and blending rules, the four-eyes rule) are kept as data. A Python callable
(a priority hook, a service-level object, a callable selection policy, the four-eyes
``when``, a custom blending policy) cannot be stored; its *fingerprint*, the qualified
name of the function or of the object's class, is kept instead; a priority scorer's
strategy (``om.PriorityScorer.strategy``, a pydantic model) is kept as data beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from omnirouter.routing.blending import BlendRule, InviteRule
from omnirouter.routing.router import manual_priority_head_start

if TYPE_CHECKING:
    from omnirouter.routing.router import Router

__all__ = ["CONFIG_PARTS", "configuration_of", "differences", "fingerprint"]

#: The parts of a configuration, in the order differences are reported.
CONFIG_PARTS: Final = (
    "queues",
    "channels",
    "offer_timeout",
    "selection",
    "priority",
    "sla",
    "four_eyes",
    "blending",
)


def fingerprint(hook: object) -> str | None:
    """The qualified name of a function (``module.qualname``) or of an object's class."""
    if hook is None:
        return None
    if isinstance(hook, functools.partial):
        return f"partial({fingerprint(hook.func)})"
    target: Any = hook
    if not (hasattr(hook, "__qualname__") and hasattr(hook, "__module__")):
        target = type(hook)
    bound = getattr(hook, "__self__", None)
    if bound is not None and not isinstance(bound, type):
        target = getattr(hook, "__func__", hook)
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__qualname__', None) or '?'}"


def _priority(router: Router) -> Any:
    hook = router.priority_strategy
    if hook is manual_priority_head_start:
        return "manual_priority (default)"
    # A priority scorer's strategy is data: record it, not only the scorer's class.
    strategy = getattr(hook, "strategy", None)
    dump = getattr(strategy, "model_dump", None)
    if callable(dump):
        return {"hook": fingerprint(hook), "strategy": dump(mode="json")}
    return fingerprint(hook)


def _sla(router: Router) -> dict[str, Any] | None:
    hook = router.service_level
    if hook is None:
        return None
    return {"hook": fingerprint(hook), "at_risk_fraction": getattr(hook, "at_risk_fraction", None)}


def _selection(router: Router) -> dict[str, Any]:
    policy = router.selection
    config = policy.config()
    if config is not None:
        return dict(config)
    return {"callable": fingerprint(getattr(policy, "function", policy))}


def _four_eyes(router: Router) -> dict[str, Any] | None:
    rule = router.four_eyes
    if rule is None:
        return None
    return {
        "reviewer": rule.reviewer,
        "channels": sorted(rule.channels),
        "when": fingerprint(rule.when),
    }


def _blending(router: Router) -> list[Any]:
    found: list[Any] = []
    for policy in router.blending_policies:
        if isinstance(policy, BlendRule | InviteRule):
            found.append(policy.to_json())
        else:
            found.append({"name": getattr(policy, "name", None), "policy": fingerprint(policy)})
    return found


def configuration_of(router: Router) -> dict[str, Any]:
    """The router's configuration as JSON-able data (see the module doc)."""
    return {
        "queues": [queue.to_json() for queue in router.queues],
        "channels": router.channels.to_json(),
        "offer_timeout": router.offer_timeout,
        "selection": _selection(router),
        "priority": _priority(router),
        "sla": _sla(router),
        "four_eyes": _four_eyes(router),
        "blending": _blending(router),
    }


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def differences(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """One line per part that differs: ``part: recorded X, now Y``."""
    found = []
    for part in CONFIG_PARTS:
        before, now = recorded.get(part), current.get(part)
        if before != now:
            found.append(f"{part}: recorded {_short(before)}, now {_short(now)}")
    return found
