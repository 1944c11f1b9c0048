"""Capacity for the router: an agent's validated profile as the core's plain data.

The rule itself lives in :mod:`omnirouter.dispatch.capacity` (plain data, no pydantic);
this module builds its :class:`~omnirouter.dispatch.capacity.Profile` from an
:class:`~omnirouter.Agent` and asks the router's channel registry for families.
"""

from __future__ import annotations

from omnirouter.dispatch import capacity as _core
from omnirouter.model import Agent, ChannelRegistry

__all__ = ["load_of", "profile_of"]


def profile_of(agent: Agent) -> _core.Profile:
    """``agent``'s capacity (and the channels it may serve) as plain data."""
    capacity = agent.capacity
    return _core.Profile(
        per_channel=dict(capacity.per_channel),
        total=capacity.total,
        budget=capacity.budget,
        units=dict(capacity.units),
        exclusive=frozenset(capacity.exclusive),
        channels=None if agent.channels is None else frozenset(agent.channels),
    )


def load_of(agent: Agent, registry: ChannelRegistry) -> _core.CapacityLoad:
    """A load for ``agent`` (holding nothing), of the core implementation that runs."""

    def family_of(channel: str) -> str | None:
        return registry.family_of(channel) if channel in registry else None

    return _core.Load(profile_of(agent), family_of)
