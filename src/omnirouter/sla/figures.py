"""Service-level figures from event streams: answered within threshold / offered.

Feed a :class:`ServiceLevelTracker` the router's events (subscribe it, or replay a log)
and ask for :meth:`~ServiceLevelTracker.figures` per channel, queue, team or agent.
Answered means *assigned* on synchronous channels and *completed* on asynchronous
ones, as in the router's SLA timers. Abandoned work is counted by one of the common
conventions (:class:`AbandonConvention`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model.channels import ChannelRegistry
from omnirouter.sla.targets import ServiceLevelPolicy

__all__ = [
    "AbandonConvention",
    "EventLike",
    "ServiceLevelFigure",
    "ServiceLevelTracker",
    "service_level_figures",
]

GROUPINGS = ("channel", "queue", "team", "agent", "total")


class EventLike(Protocol):
    """What the tracker reads of an event (``om.Event`` has all of it)."""

    @property
    def kind(self) -> str:
        """What happened: ``queued``, ``assigned``, ``abandoned`` …"""
        ...

    @property
    def at(self) -> float:
        """When, in epoch seconds."""
        ...

    @property
    def interaction_id(self) -> str | None:
        """The work it is about, if any."""
        ...

    @property
    def agent_id(self) -> str | None:
        """The agent it is about, if any."""
        ...

    @property
    def queue(self) -> str | None:
        """The queue the work was in, if known."""
        ...

    @property
    def channel(self) -> str | None:
        """The work's channel, if known."""
        ...


class AbandonConvention(enum.StrEnum):
    """How abandoned work enters the service level.

    ``count``: every abandon is offered and missed. ``exclude``: abandons leave the
    denominator. ``exclude_short``: abandons within the short-abandon time (the
    caller hung up at once) leave it, later ones count as missed.
    """

    COUNT = "count"
    EXCLUDE = "exclude"
    EXCLUDE_SHORT = "exclude_short"


@attrs.frozen(slots=True)
class ServiceLevelFigure:
    """The service level of one group (a channel, queue, team, agent, or the total).

    ``offered`` is the denominator after the abandon convention; ``service_level`` is
    ``answered_in_time / offered`` (None when nothing was offered). ``goal`` is set when
    grouping by channel and the policy has a target for it.
    """

    group: str
    key: str
    offered: int
    answered: int
    answered_in_time: int
    abandoned: int
    abandoned_short: int
    overdue_waiting: int
    service_level: float | None
    goal: float | None

    @property
    def met(self) -> bool | None:
        """Whether the goal is reached (None without a goal or without offered work)."""
        if self.goal is None or self.service_level is None:
            return None
        return self.service_level >= self.goal

    def to_dict(self) -> dict[str, Any]:
        """A flat row, ready for a table or a DataFrame."""
        row = attrs.asdict(self)
        row["met"] = self.met
        return row


@attrs.define(slots=True)
class _Record:
    channel: str
    queue: str | None
    offered_at: float
    deadline: float | None
    answered_at: float | None = None
    agent_id: str | None = None
    abandoned_at: float | None = None
    cancelled: bool = False


def _field(event: EventLike | Mapping[str, Any], name: str) -> Any:
    if isinstance(event, Mapping):
        return event.get(name)
    return getattr(event, name, None)


class ServiceLevelTracker:
    """Turns a stream of router events into service-level figures.

    Call it with each event (``router.subscribe(tracker)``), or hand it a recorded
    stream with :meth:`feed`; it keeps one small record per interaction and ignores
    kinds it does not need. Then :meth:`figures` gives the service level per channel,
    queue, team, agent or in total.

    Args:
        policy: The targets (and so the deadlines) to judge by.
        channels: The channel registry (default: the built-in channels).
        teams: Agent id → team name, for the ``team`` grouping.

    Example:
        >>> import omnirouter as om
        >>> now = [0.0]
        >>> router = om.Router(clock=lambda: now[0])
        >>> tracker = om.ServiceLevelTracker(om.ServiceLevelPolicy(
        ...     targets={"voice": {"threshold": 20, "goal": 0.8}}))
        >>> unsubscribe = router.subscribe(tracker)
        >>> router.add_agent({"id": "ana", "capacity": {"voice": 1}})
        >>> router.submit({"id": "call-1", "channel": "voice"})
        >>> now[0] = 30.0  # ana logs in after 30 s: too late for a 20 s target
        >>> router.set_presence("ana", "available")
        >>> [(f.key, f.offered, f.answered_in_time, f.service_level) for f in tracker.figures()]
        [('voice', 1, 0, 0.0)]
    """

    def __init__(
        self,
        policy: ServiceLevelPolicy,
        *,
        channels: ChannelRegistry | None = None,
        teams: Mapping[str, str] | None = None,
    ) -> None:
        self._policy = policy
        self._channels = channels if channels is not None else ChannelRegistry()
        self._teams = dict(teams or {})
        self._records: dict[str, _Record] = {}

    def __call__(self, event: EventLike | Mapping[str, Any]) -> None:
        """Take one event (an ``om.Event`` or a mapping with the same fields)."""
        interaction_id = _field(event, "interaction_id")
        if interaction_id is None:
            return
        kind, at = _field(event, "kind"), float(_field(event, "at"))
        record = self._records.get(interaction_id)
        if kind == "queued":
            if record is None:
                self._open(interaction_id, event, at)
            return
        if record is None or record.answered_at is not None or record.abandoned_at is not None:
            return
        synchronous = self._channels.get(record.channel).synchronous
        if (kind == "assigned" and synchronous) or (kind == "completed" and not synchronous):
            record.answered_at = at
            record.agent_id = _field(event, "agent_id")
        elif kind == "assigned":
            record.agent_id = _field(event, "agent_id")
        elif kind == "abandoned":
            record.abandoned_at = at
        elif kind == "cancelled":
            record.cancelled = True

    def _open(self, interaction_id: str, event: EventLike | Mapping[str, Any], at: float) -> None:
        channel = _field(event, "channel")
        if channel is None:
            raise ValidationError(
                "event", [ErrorDetail(["channel"], f"queued event of {interaction_id!r} has none")]
            )
        traits = self._channels.get(channel)
        self._records[interaction_id] = _Record(
            channel=channel,
            queue=_field(event, "queue"),
            offered_at=at,
            deadline=self._policy.deadline_at(channel, at, traits),
        )

    def feed(self, events: Iterable[EventLike | Mapping[str, Any]]) -> ServiceLevelTracker:
        """Take many events in order; returns the tracker for chaining."""
        for event in events:
            self(event)
        return self

    def figures(
        self,
        by: str = "channel",
        *,
        abandoned: AbandonConvention | str = AbandonConvention.COUNT,
        short_abandon: float = 5.0,
        as_of: float | None = None,
    ) -> list[ServiceLevelFigure]:
        """Service levels per ``by`` (channel, queue, team, agent or total), sorted by key.

        Work still waiting counts only with ``as_of`` and once past its deadline (as
        missed). Cancelled work and work without a deadline are left out; grouping by
        agent or team sees only work that reached an agent.
        """
        if by not in GROUPINGS:
            raise ValidationError(
                "figures", [ErrorDetail(["by"], f"{by!r} is not one of {', '.join(GROUPINGS)}")]
            )
        try:
            convention = AbandonConvention(abandoned)
        except ValueError:
            options = ", ".join(c.value for c in AbandonConvention)
            raise ValidationError(
                "figures", [ErrorDetail(["abandoned"], f"{abandoned!r} is not one of {options}")]
            ) from None
        tallies: dict[str, list[int]] = {}
        for record in self._records.values():
            if record.cancelled or record.deadline is None:
                continue
            key = self._key(record, by)
            if key is None:
                continue
            tally = tallies.setdefault(key, [0, 0, 0, 0, 0, 0])
            _count(tally, record, convention, short_abandon, as_of)
        rows = []
        for key in sorted(tallies):
            offered, answered, in_time, abandons, short, overdue = tallies[key]
            goal = None
            if by == "channel":
                target = self._policy.target_for(key, traits=self._channels.get(key))
                goal = target.goal if target is not None else None
            rows.append(
                ServiceLevelFigure(
                    group=by,
                    key=key,
                    offered=offered,
                    answered=answered,
                    answered_in_time=in_time,
                    abandoned=abandons,
                    abandoned_short=short,
                    overdue_waiting=overdue,
                    service_level=in_time / offered if offered else None,
                    goal=goal,
                )
            )
        return rows

    def _key(self, record: _Record, by: str) -> str | None:
        if by == "channel":
            return record.channel
        if by == "queue":
            return record.queue
        if by == "agent":
            return record.agent_id
        if by == "team":
            return self._teams.get(record.agent_id) if record.agent_id else None
        return "total"


def _count(
    tally: list[int],
    record: _Record,
    convention: AbandonConvention,
    short_abandon: float,
    as_of: float | None,
) -> None:
    """Add one record to ``[offered, answered, in_time, abandoned, short, overdue]``."""
    assert record.deadline is not None
    if record.answered_at is not None:
        tally[0] += 1
        tally[1] += 1
        if record.answered_at <= record.deadline:
            tally[2] += 1
    elif record.abandoned_at is not None:
        tally[3] += 1
        short = record.abandoned_at - record.offered_at <= short_abandon
        tally[4] += short
        if convention is AbandonConvention.COUNT or (
            convention is AbandonConvention.EXCLUDE_SHORT and not short
        ):
            tally[0] += 1
    elif as_of is not None and as_of > record.deadline:
        tally[0] += 1
        tally[5] += 1


def service_level_figures(
    events: Iterable[EventLike | Mapping[str, Any]],
    policy: ServiceLevelPolicy,
    by: str = "channel",
    *,
    channels: ChannelRegistry | None = None,
    teams: Mapping[str, str] | None = None,
    abandoned: AbandonConvention | str = AbandonConvention.COUNT,
    short_abandon: float = 5.0,
    as_of: float | None = None,
) -> list[ServiceLevelFigure]:
    """Replay ``events`` through a fresh :class:`ServiceLevelTracker` and report ``by``."""
    tracker = ServiceLevelTracker(policy, channels=channels, teams=teams).feed(events)
    return tracker.figures(by, abandoned=abandoned, short_abandon=short_abandon, as_of=as_of)
