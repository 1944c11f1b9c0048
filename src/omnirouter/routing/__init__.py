"""Routing core: the universal queue, agent selection, channel blending and expressions."""

from omnirouter.routing import selection
from omnirouter.routing.events import EVENT_KINDS, Event
from omnirouter.routing.queues import FourEyes, Overflow, Queue, Step
from omnirouter.routing.router import AgentStatus, PriorityStrategy, Router, ServiceLevelHook
from omnirouter.routing.selection import SelectionPolicy

__all__ = [
    "EVENT_KINDS",
    "AgentStatus",
    "Event",
    "FourEyes",
    "Overflow",
    "PriorityStrategy",
    "Queue",
    "Router",
    "SelectionPolicy",
    "ServiceLevelHook",
    "Step",
    "selection",
]
