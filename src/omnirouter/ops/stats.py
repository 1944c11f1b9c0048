"""Live monitoring: ``router.stats()`` — what waits, who does what, how today goes.

Two halves: what the router holds now and what happened today. Waiting work (counts per
channel, queue and reason, the longest waits) is kept up to date from the router's events
by a :class:`LiveStats` subscriber, which also counts today's figures (offered, answered,
service level, handled, average handling time); agents (presence, what they hold,
occupancy) are read from the router on each call. A call costs one pass over the agents
and none over the backlog, so calling it every second under load stays cheap however
much waits.

Answered means *assigned* on synchronous channels and *completed* on asynchronous ones
(as the router's SLA timers count it); the service level so far today is answered within
the channel's target over answered plus abandoned. Handling time runs from the last
assignment to completion, without time spent paused (wrap-up not included), as
:func:`omnirouter.blending.handling_times` measures it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final

import attrs

from omnirouter.ops._waiting_index import NO_REASON, WaitingIndex
from omnirouter.routing.blending import handling_times
from omnirouter.routing.events import EVENT_KINDS

if TYPE_CHECKING:
    from omnirouter.routing.events import Event
    from omnirouter.routing.router import Router

__all__ = [
    "AgentStats",
    "ChannelStats",
    "LiveStats",
    "QueueStats",
    "ReasonStats",
    "RouterStats",
    "TeamStats",
    "live_stats",
]

_KINDS: Final = frozenset({"queued", "assigned", "completed", "abandoned", "cancelled"})
#: Events that may start or end a wait, or move it: every kind about an interaction's
#: state (not agents', not SLA warnings, which change nothing).
_WAITING_KINDS: Final = EVENT_KINDS - {
    "agent_added",
    "agent_removed",
    "presence_changed",
    "blend_switched",
    "wrap_up_ended",
    "sla_at_risk",
    "sla_breached",
    "priority_changed",
}
_NO_REASON: Final = NO_REASON
_NO_TEAM: Final = "(none)"


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


@attrs.frozen(slots=True)
class ChannelStats:
    """One channel now and so far today."""

    channel: str
    waiting: int
    longest_wait: float
    offered: int
    answered: int
    answered_in_target: int
    abandoned: int
    service_level: float | None
    handled: int
    average_handling_time: float | None
    agents_serving: int
    agents_holding: int
    occupancy: float


@attrs.frozen(slots=True)
class QueueStats:
    """One queue now: waiting work and its longest wait, and the waiting per channel."""

    queue: str
    waiting: int
    longest_wait: float
    waiting_by_channel: Mapping[str, int]


@attrs.frozen(slots=True)
class AgentStats:
    """One agent now (presence, what they hold, occupancy) and today (handled, AHT)."""

    agent_id: str
    team: str | None
    presence: str
    holding: Mapping[str, int]
    wrapping_up: int
    occupancy: float
    handled: int
    average_handling_time: float | None


@attrs.frozen(slots=True)
class TeamStats:
    """One team (or branch): its agents now and what they handled today."""

    team: str
    agents: int
    available: int
    occupancy: float
    handled: int
    average_handling_time: float | None


@attrs.frozen(slots=True)
class ReasonStats:
    """One reason of contact: waiting now, and offered, answered, handled today."""

    reason: str
    waiting: int
    offered: int
    answered: int
    abandoned: int
    service_level: float | None
    handled: int
    average_handling_time: float | None


@attrs.frozen(slots=True)
class RouterStats:
    """Everything :meth:`omnirouter.Router.stats` reports, at ``at`` (``day`` = today)."""

    at: float
    day: date
    waiting: int
    longest_wait: float
    presence: Mapping[str, int]
    holding: Mapping[str, int]
    channels: Mapping[str, ChannelStats]
    queues: Mapping[str, QueueStats]
    agents: Mapping[str, AgentStats]
    teams: Mapping[str, TeamStats]
    reasons: Mapping[str, ReasonStats]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (the day as an ISO date)."""
        data = attrs.asdict(self, recurse=True)
        data["day"] = self.day.isoformat()
        return data


class _Open:
    __slots__ = ("answered", "assigned", "channel", "reason", "start", "sync", "target")

    def __init__(self, start: float, channel: str, reason: str, sync: bool, target: float) -> None:
        self.start = start
        self.channel = channel
        self.reason = reason
        self.sync = sync
        self.target = target
        self.answered = False
        self.assigned: Event | None = None


class _Tally:
    __slots__ = ("abandoned", "answered", "handle_time", "handled", "in_target", "offered")

    def __init__(self) -> None:
        self.offered = 0
        self.answered = 0
        self.in_target = 0
        self.abandoned = 0
        self.handled = 0
        self.handle_time = 0.0

    @property
    def service_level(self) -> float | None:
        decided = self.answered + self.abandoned
        return self.in_target / decided if decided else None

    @property
    def aht(self) -> float | None:
        return _mean(self.handle_time, self.handled)


class LiveStats:
    """Counts today's figures from a router's events; :meth:`read` adds the live state.

    ``tz`` decides when "today" starts (UTC by default). ``router.stats()`` creates one
    on its first call; create it yourself to count from an earlier moment or in
    another time zone (``LiveStats(router, tz=ZoneInfo("Europe/Berlin"))``).
    """

    def __init__(self, router: Router, tz: tzinfo = UTC) -> None:
        self._router = router
        self._tz = tz
        self._day: date | None = None
        self._open: dict[str, _Open] = {}
        self._by: dict[tuple[str, str], _Tally] = {}
        self._waiting = WaitingIndex()
        with router.view.lock:
            self._waiting.seed(router.view)
            self._unsubscribe = router.subscribe(self._on_event, _KINDS | _WAITING_KINDS)

    def close(self) -> None:
        """Stop counting."""
        self._unsubscribe()

    def _tally(self, group: str, key: str) -> _Tally:
        tally = self._by.get((group, key))
        if tally is None:
            tally = self._by[(group, key)] = _Tally()
        return tally

    def _roll(self, at: float) -> None:
        day = datetime.fromtimestamp(at, self._tz).date()
        if day != self._day:
            if self._day is not None and day < self._day:
                return  # an event stamped before midnight, delivered after: keep today
            self._day = day
            self._by.clear()

    def _on_event(self, event: Event) -> None:
        interaction_id = event.interaction_id
        if interaction_id is None:
            return
        kind = event.kind
        if kind in _WAITING_KINDS:
            self._waiting.follow(interaction_id, self._router.view.work(interaction_id))
        if kind not in _KINDS:
            return
        self._roll(event.at)
        record = self._open.get(interaction_id)
        if kind == "queued":
            if record is None:
                record = self._start(interaction_id, event)
                self._open[interaction_id] = record
                self._tally("channel", record.channel).offered += 1
                self._tally("reason", record.reason).offered += 1
            return
        if record is None:
            return
        if kind == "assigned":
            record.assigned = event
            if record.sync and not record.answered:
                self._answered(record, event.at)
        elif kind == "completed":
            if not record.sync and not record.answered:
                self._answered(record, event.at)
            if record.assigned is not None:
                handled = handling_times((record.assigned, event))
                self._handled(record, event, handled[interaction_id])
            del self._open[interaction_id]
        elif kind == "abandoned":
            if not record.answered:
                self._tally("channel", record.channel).abandoned += 1
                self._tally("reason", record.reason).abandoned += 1
            del self._open[interaction_id]
        else:  # cancelled
            del self._open[interaction_id]

    def _start(self, interaction_id: str, event: Event) -> _Open:
        router = self._router
        work = router.view.work(interaction_id)
        channel = event.channel or (work.interaction.channel if work is not None else "")
        reason = (work.interaction.reason if work is not None else None) or _NO_REASON
        start = work.enqueued_at if work is not None else event.at
        try:
            traits = router.channels.get(channel)
            return _Open(
                start,
                channel,
                reason,
                traits.synchronous,
                traits.service_level_target.total_seconds(),
            )
        except KeyError:
            return _Open(start, channel, reason, False, float("inf"))

    def _answered(self, record: _Open, at: float) -> None:
        record.answered = True
        within = at - record.start <= record.target
        for tally in (self._tally("channel", record.channel), self._tally("reason", record.reason)):
            tally.answered += 1
            tally.in_target += within

    def _handled(self, record: _Open, event: Event, seconds: float) -> None:
        keys = [("channel", record.channel), ("reason", record.reason)]
        agent_id = event.agent_id
        if agent_id is not None:
            keys.append(("agent", agent_id))
            agent = self._router.view.agent(agent_id)
            team = agent.agent.team if agent is not None else None
            keys.append(("team", team or _NO_TEAM))
        for group, key in keys:
            tally = self._tally(group, key)
            tally.handled += 1
            tally.handle_time += seconds

    def read(self, now: float | None = None) -> RouterStats:
        """The figures now (``now`` defaults to the router's clock)."""
        router = self._router
        with router.view.lock:
            at = router.view.clock() if now is None else float(now)
            self._roll(at)
            return self._read(at)

    def _read(self, at: float) -> RouterStats:
        router = self._router
        empty = _Tally()
        tallies = self._by

        def tally(group: str, key: str) -> _Tally:
            return tallies.get((group, key), empty)

        index = self._waiting
        waiting_channel = index.by_channel
        waiting_queue = index.by_queue
        waiting_reason = index.by_reason

        presence: Counter[str] = Counter()
        holding: Counter[str] = Counter()
        agents: dict[str, AgentStats] = {}
        held_by_channel: Counter[str] = Counter()
        items_by_channel: Counter[str] = Counter()
        teams: dict[str, list[AgentStats]] = {}
        for state in router.view.agents():
            presence[state.presence] += 1
            held: Counter[str] = Counter(state.items.values())
            if held:
                holding.update(held.keys())
                held_by_channel.update(held.keys())
                items_by_channel.update(held)
            elif state.wrapping:
                holding["wrap_up"] += 1
            else:
                holding["nothing"] += 1
            mine = tally("agent", state.id)
            stats = AgentStats(
                state.id,
                state.agent.team,
                state.presence,
                dict(held),
                len(state.wrapping),
                state.load.occupancy(),
                mine.handled,
                mine.aht,
            )
            agents[state.id] = stats
            teams.setdefault(state.agent.team or _NO_TEAM, []).append(stats)

        names = {name for name, count in waiting_channel.items() if count} | set(held_by_channel)
        names |= {key for group, key in tallies if group == "channel"}
        channels: dict[str, ChannelStats] = {}
        oldest_overall: float | None = None
        for name in sorted(names):
            serving, capacity = self._capacity_on(name)
            today = tally("channel", name)
            oldest = index.oldest_of_channel(name)
            if oldest is not None and (oldest_overall is None or oldest < oldest_overall):
                oldest_overall = oldest
            channels[name] = ChannelStats(
                name,
                waiting_channel[name],
                at - oldest if oldest is not None else 0.0,
                today.offered,
                today.answered,
                today.in_target,
                today.abandoned,
                today.service_level,
                today.handled,
                today.aht,
                serving,
                held_by_channel[name],
                min(1.0, items_by_channel[name] / capacity) if capacity else 0.0,
            )
        queues = {}
        for name in router.view.queue_names():
            by_channel: Mapping[str, int] = waiting_queue.get(name) or {}
            oldest = index.oldest_of_queue(name)
            queues[name] = QueueStats(
                name,
                sum(by_channel.values()),
                at - oldest if oldest is not None else 0.0,
                dict(by_channel),
            )
        team_stats = {}
        for team, members in sorted(teams.items()):
            today = tally("team", team)
            team_stats[team] = TeamStats(
                team,
                len(members),
                sum(1 for m in members if m.presence == "available"),
                sum(m.occupancy for m in members) / len(members),
                today.handled,
                today.aht,
            )
        reason_names = {name for name, count in waiting_reason.items() if count}
        reason_names |= {key for group, key in tallies if group == "reason"}
        reasons = {}
        for reason in sorted(reason_names):
            today = tally("reason", reason)
            reasons[reason] = ReasonStats(
                reason,
                waiting_reason[reason],
                today.offered,
                today.answered,
                today.abandoned,
                today.service_level,
                today.handled,
                today.aht,
            )
        day = self._day if self._day is not None else datetime.fromtimestamp(at, self._tz).date()
        return RouterStats(
            at,
            day,
            len(index.entries),
            at - oldest_overall if oldest_overall is not None else 0.0,
            dict(presence),
            dict(holding),
            channels,
            queues,
            agents,
            team_stats,
            reasons,
        )

    def _capacity_on(self, channel: str) -> tuple[int, int]:
        """Available agents who may take ``channel``, and how many items of it they may hold."""
        registry = self._router.channels
        family = registry.family_of(channel) if channel in registry else channel
        serving = 0
        capacity = 0
        for state in self._router.view.agents():
            if not state.present or not state.load.allows(channel):
                continue
            serving += 1
            profile = state.agent.capacity
            cap = profile.per_channel.get(channel) or profile.per_channel.get(family)
            capacity += cap or profile.total or 1
        return serving, capacity


def live_stats(router: Router, now: float | None = None) -> RouterStats:
    """What :meth:`omnirouter.Router.stats` returns; counting starts at the first call."""
    extensions = router.view.extensions
    collector = extensions.get(LiveStats)
    if collector is None:
        with router.view.lock:
            collector = extensions.setdefault(LiveStats, lambda: LiveStats(router))
    return collector.read(now)
