"""Event records: every state change of the router comes out as one :class:`Event`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple

__all__ = ["EVENT_KINDS", "Event", "new_event"]

_NO_DETAIL: Final[Mapping[str, Any]] = MappingProxyType({})

#: Every kind of event the router emits.
EVENT_KINDS: Final[frozenset[str]] = frozenset(
    {
        "scheduled",
        "queued",
        "offered",
        "assigned",
        "declined",
        "offer_timeout",
        "requeued",
        "step_expired",
        "overflowed",
        "transferred",
        "completed",
        "wrap_up_ended",
        "paused",
        "resumed",
        "blend_switched",
        "abandoned",
        "cancelled",
        "split",
        "consulted",
        "review_requested",
        "sla_at_risk",
        "sla_breached",
        "agent_added",
        "agent_removed",
        "presence_changed",
        "priority_changed",
    }
)


class Event(NamedTuple):
    """One thing that happened in the router, at ``at`` (seconds, the router's clock).

    ``kind`` is one of :data:`EVENT_KINDS`; ``detail`` carries extra facts such as the
    step index, the reason of a requeue or the bot's hand-over data. Events are
    immutable; a named tuple because the router builds one per state change that
    someone subscribed to, and a tuple is built several times faster than a frozen
    attrs record (see benchmarks/RESULTS.md, Routing).

    Attributes:
        kind: What happened, one of :data:`EVENT_KINDS`.
        at: When, in the router's clock (epoch seconds).
        interaction_id: The work it is about (None for agent events).
        agent_id: The agent involved, if any.
        queue: The queue the work is in, if any.
        channel: The work's channel, if any.
        detail: Extra facts, read-only (e.g. ``{"step": 1}``, ``{"reason": "declined"}``).

    Example:
        >>> import omnirouter as om
        >>> router = om.Router(clock=lambda: 5.0)
        >>> events = []
        >>> unsubscribe = router.subscribe(events.append, kinds=["queued"])
        >>> router.submit({"id": "mail-1", "channel": "email"})
        >>> events[0].kind, events[0].at, events[0].queue
        ('queued', 5.0, 'default')
        >>> events[0].to_json()["interaction_id"]
        'mail-1'
    """

    kind: str
    at: float
    interaction_id: str | None = None
    agent_id: str | None = None
    queue: str | None = None
    channel: str | None = None
    detail: Mapping[str, Any] = _NO_DETAIL

    def to_json(self) -> dict[str, Any]:
        """The event as a plain JSON-able dict."""
        return {
            "kind": self.kind,
            "at": self.at,
            "interaction_id": self.interaction_id,
            "agent_id": self.agent_id,
            "queue": self.queue,
            "channel": self.channel,
            "detail": dict(self.detail),
        }


_tuple_new: Final = tuple.__new__


def new_event(
    kind: str,
    at: float,
    interaction_id: str | None,
    agent_id: str | None,
    queue: str | None,
    channel: str | None,
    detail: Mapping[str, Any],
    /,
) -> Event:
    """The one place the router builds an :class:`Event`: all seven fields, in order
    (a call with more or fewer fails at the call), built straight as the tuple it is,
    without the named tuple's Python-level ``__new__``."""
    return _tuple_new(Event, (kind, at, interaction_id, agent_id, queue, channel, detail))
