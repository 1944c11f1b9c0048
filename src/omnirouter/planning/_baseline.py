"""The per-channel Erlang plan: each workload staffed alone, as if nothing were shared.

For each interval and workload source: the offered load ``A = λ · (handle + wrap-up)``,
the fewest servers meeting the channel's target by Erlang A (synchronous work whose
customers hang up) or Erlang C (everything else), divided by the concurrency the
group allows. Each source is staffed by its most specialised eligible group (the one
able to take the fewest kinds of work; then the cheaper; then the first). Callbacks
left by phone customers who hang up are staffed the same way, at the rate Erlang A
predicts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from omnirouter import erlang
from omnirouter.planning._forecast import Day
from omnirouter.planning._groups import Group, Staffing
from omnirouter.simulation.scenario import Scenario, WorkloadSource

__all__ = ["erlang_staffing", "workload_erlangs"]

_MAX_SERVERS = 10_000


def _servers(
    traffic: float, aht: float, threshold: float, goal: float, patience: float | None
) -> tuple[int, float]:
    """(servers, share that hangs up) meeting ``goal`` within ``threshold``."""
    if traffic <= 0:
        return 0, 0.0
    if patience is None:
        return erlang.agents_for_service_level(traffic, aht, threshold, goal), 0.0
    servers = max(1, math.floor(traffic * 0.5))
    while servers < _MAX_SERVERS:
        figures = erlang.erlang_a(traffic, servers, aht, patience, threshold)
        if figures.service_level is not None and figures.service_level >= goal:
            return servers, figures.p_abandon
        servers += 1
    return servers, 0.0


def _mean_work(source: WorkloadSource) -> float:
    wrap = source.wrap_up.mean if source.wrap_up is not None else 0.0
    return source.handle_time.mean + wrap


def _serving(source: str, groups: Sequence[Group], eligible: Mapping[str, frozenset[str]]) -> Group:
    breadth = {
        group.name: sum(group.name in serving for serving in eligible.values()) for group in groups
    }
    candidates = [group for group in groups if group.name in eligible[source]]
    return min(candidates, key=lambda group: (breadth[group.name], group.hourly_cost))


def erlang_staffing(
    day: Day,
    scenario: Scenario,
    groups: Sequence[Group],
    eligible: Mapping[str, frozenset[str]],
) -> Staffing:
    """Agents per interval and group when every workload is staffed on its own."""
    need = [[0] * len(groups) for _ in range(day.intervals)]
    position = {group.name: index for index, group in enumerate(groups)}
    for source in scenario.workload:
        group = _serving(source.name, groups, eligible)
        target = scenario.service_level_target(source.channel)
        work = _mean_work(source)
        patience = (
            source.patience.mean
            if source.patience is not None and scenario.registry()[source.channel].synchronous
            else None
        )
        callback_target = scenario.service_level_target("callback")
        for index, per_hour in enumerate(day.rates[source.name]):
            traffic = per_hour / 3600.0 * work
            servers, hang_up = _servers(
                traffic, work, target.threshold.total_seconds(), target.goal, patience
            )
            need[index][position[group.name]] += _agents(servers, group, source.channel)
            callbacks = traffic * hang_up * source.callback_share
            if callbacks > 0 and "callback" in _channels(scenario):
                servers, _ = _servers(
                    callbacks,
                    work,
                    callback_target.threshold.total_seconds(),
                    callback_target.goal,
                    None,
                )
                need[index][position[group.name]] += _agents(servers, group, "callback")
    return tuple(tuple(row) for row in need)


def _channels(scenario: Scenario) -> set[str]:
    return set(scenario.registry().names())


def _agents(servers: int, group: Group, channel: str) -> int:
    per_agent = max(1, group.concurrency(channel))
    return math.ceil(servers / per_agent)


def workload_erlangs(day: Day, scenario: Scenario) -> list[float]:
    """The offered load in agent-equivalents per interval (every source, one at a time)."""
    loads = [0.0] * day.intervals
    for source in scenario.workload:
        work = _mean_work(source)
        for index, per_hour in enumerate(day.rates[source.name]):
            loads[index] += per_hour / 3600.0 * work
    return loads
