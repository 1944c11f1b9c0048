"""Skill groups: the scenario's teams, which work each can take, and the roster of a staffing.

Which group can serve which workload is not guessed from skill names: each pair is
probed by simulating one agent of the group and a trickle of that workload through the
production router (its queues, steps, capacities and blending rules).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.simulation.runner import Simulation
from omnirouter.simulation.scenario import Break, RosterAgent, Scenario, Shift, Team

__all__ = ["Group", "eligibility", "roster", "skill_groups"]

#: Staffing: per interval, agents on duty per group (in the order of the groups).
Staffing = tuple[tuple[int, ...], ...]
#: Probe customers per hour: enough to see an answer, few enough to stay cheap.
_PROBE_RATE = 4.0


@attrs.frozen
class Group:
    """One skill group: a team of the scenario, its hourly cost, and its named members."""

    name: str
    team: Team
    hourly_cost: float

    def concurrency(self, channel: str) -> int:
        """How many interactions of ``channel`` one agent may hold at once."""
        capacity = self.team.template.capacity
        per_channel = capacity.per_channel
        cap = per_channel.get(channel, 0) if per_channel else 1
        if capacity.total is not None:
            cap = min(cap, capacity.total)
        return max(cap, 0)


def skill_groups(scenario: Scenario, hourly_cost: Mapping[str, float] | None) -> list[Group]:
    """The scenario's teams as groups; ``hourly_cost`` (per team name) defaults to 1."""
    costs = dict(hourly_cost or {})
    names = [team.name for team in scenario.teams]
    problems = [
        ErrorDetail(("hourly_cost", name), "names no team of the scenario")
        for name in costs
        if name not in names
    ]
    for name, cost in costs.items():
        if (
            isinstance(cost, bool)
            or not isinstance(cost, int | float)
            or not math.isfinite(cost)
            or cost <= 0
        ):
            problems.append(ErrorDetail(("hourly_cost", name), "must be a finite number > 0"))
    if problems:
        raise ValidationError("planning costs", problems)
    return [Group(team.name, team, float(costs.get(team.name, 1.0))) for team in scenario.teams]


def eligibility(template: Scenario, groups: Sequence[Group]) -> dict[str, frozenset[str]]:
    """Workload source name → the groups whose agents the router gives that work.

    One small simulation per (group, source): one agent of the group on duty all day,
    the source alone at a trickle, nobody hanging up; answered work means eligible.
    """
    found: dict[str, set[str]] = {source.name: set() for source in template.workload}
    hours = min(template.horizon_hours, 8.0)
    for group in groups:
        agent = group.team.template.model_copy(update={"id": f"{group.name}-probe"})
        for source in template.workload:
            probe = source.model_copy(
                update={
                    "rate_per_hour": _PROBE_RATE,
                    "rates_per_hour": None,
                    "patience": None,
                    "callback_share": 0.0,
                    "portfolio_share": 0.0,
                }
            )
            scenario = template.model_copy(
                update={
                    "horizon_hours": hours,
                    "teams": [],
                    "agents": [RosterAgent(agent=agent)],
                    "workload": [probe],
                    "priority": None,
                }
            )
            result = Simulation(scenario, 0, seed=template.seed).run()
            answered = result.channels.get(source.channel, {}).get("answered", 0.0)
            if answered > 0:
                found[source.name].add(group.name)
    unserved = sorted(name for name, serving in found.items() if not serving)
    if unserved:
        raise ValidationError(
            f"planning scenario {template.name!r}",
            [
                ErrorDetail(("workload", name), "no team's agents are ever given this work")
                for name in unserved
            ],
        )
    return {name: frozenset(serving) for name, serving in found.items()}


def roster(
    template: Scenario,
    groups: Sequence[Group],
    staffing: Staffing,
    interval_minutes: float,
) -> list[RosterAgent]:
    """The agents of a staffing: agent ``k`` of a group works the intervals with ``≥ k``.

    A group's first agents are its team's named members (their portfolios and backups
    stay, so every staffing meets the same customers); more are added as extras.
    Gaps become breaks (away: no new work, the work in hand is finished); after the
    last interval the last interval's staff stays on until the day's work is done.
    """
    start = template.start
    intervals = len(staffing)
    step = timedelta(minutes=interval_minutes)
    end = start + timedelta(hours=template.horizon_hours)
    # Slot ``intervals`` is the drain: from the plan's end to the simulated horizon.
    slots = [(start + index * step, start + (index + 1) * step) for index in range(intervals)]
    slots.append((start + intervals * step, end))
    agents: list[RosterAgent] = []
    for position, group in enumerate(groups):
        counts = [row[position] for row in staffing]
        counts.append(counts[-1])
        named = group.team.members()
        most = max(counts)
        for number in range(1, max(most, len(named)) + 1):
            on = [count >= number for count in counts]
            if number <= len(named):
                entry = named[number - 1]
            else:
                extra = group.team.template.model_copy(
                    update={"id": f"{group.name}-x{number:03d}", "team": group.name}
                )
                entry = RosterAgent(agent=extra)
            shift, breaks = _hours(on, slots, end, step)
            agents.append(entry.model_copy(update={"shift": shift, "breaks": breaks}))
    return agents


def _clock(moment: datetime) -> time:
    return moment.timetz().replace(tzinfo=None)


def _hours(
    on: list[bool], slots: list[tuple[datetime, datetime]], end: datetime, step: timedelta
) -> tuple[Shift, list[Break]]:
    """A shift from the first slot worked to the last, with the gaps as breaks.

    Never on duty: a shift just after the horizon (so the agent and the customers of
    its portfolio still exist, but it takes no work).
    """
    worked = [index for index, flag in enumerate(on) if flag]
    if not worked:
        return Shift(start=_clock(end), end=_clock(end + step)), []
    first, last = worked[0], worked[-1]
    breaks = []
    index = first
    while index <= last:
        if on[index]:
            index += 1
            continue
        gap_start = slots[index][0]
        while not on[index]:
            index += 1
        minutes = (slots[index][0] - gap_start).total_seconds() / 60.0
        breaks.append(Break(start=_clock(gap_start), minutes=minutes))
    return Shift(start=_clock(slots[first][0]), end=_clock(slots[last][1])), breaks
