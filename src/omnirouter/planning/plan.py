"""Staffing plans: how many agents of each group per interval, and what they achieve.

:func:`plan_staffing` starts from the per-channel Erlang plan, searches with
simulations of the production router for the cheapest staffing that meets every
channel's target in every interval, and verifies the result with replications the
search never saw. A :class:`StaffingPlan` holds the staffing, its verified KPIs per
interval and channel (95 % intervals), its cost, and the Erlang plan it started from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.planning._baseline import erlang_staffing, workload_erlangs
from omnirouter.planning._evaluate import Evaluator, Outcome
from omnirouter.planning._forecast import Day, load_forecast, planning_day
from omnirouter.planning._groups import Group, eligibility, skill_groups
from omnirouter.planning._search import search
from omnirouter.simulation._parallel import executor_for
from omnirouter.simulation.scenario import Scenario
from omnirouter.simulation.stats import Estimate

__all__ = [
    "IntervalKPI",
    "PlanCost",
    "PlanProgress",
    "StaffingPlan",
    "kpis_of",
    "plan_staffing",
]

#: Told as the planner works: ``(stage, simulations done, simulations in the batch)``.
PlanProgress = Callable[[str, int, int], None]


@attrs.frozen
class PlanCost:
    """What a staffing costs over the day.

    ``agent_hours``: hours on duty (the plan's agents); ``paid_hours``: those hours
    grossed up for shrinkage; ``money``: paid hours times each group's hourly cost,
    ``None`` when no group was given a cost.
    """

    agent_hours: float
    paid_hours: float
    money: float | None


@attrs.frozen
class IntervalKPI:
    """One channel in one interval, as verified: service level, abandonment, customers.

    ``abandonment`` is the share who hung up or were never answered by the end of the
    simulated day (work no agent on duty could take counts here, and against the goal).

    Each figure is a mean over the verification replications with its 95 % interval.
    ``met``: the mean service level reaches ``goal`` (an interval without customers
    is met).
    """

    interval: int
    start: datetime
    channel: str
    goal: float
    service_level: Estimate
    abandonment: Estimate
    customers: Estimate

    @property
    def met(self) -> bool:
        """The target is met (on the mean of the verification)."""
        level = self.service_level.mean
        return math.isnan(level) or level >= self.goal


@attrs.frozen
class StaffingPlan:
    """Agents per interval and skill group, with their verified KPIs and cost.

    ``agents[i][g]`` is the number of agents of ``groups[g]`` on duty in interval
    ``i``. ``kpis`` come from an independent verification. ``baseline`` is the
    per-channel Erlang plan (itself verified the same way), ``None`` on the baseline.
    """

    name: str
    method: str
    start: datetime
    interval_minutes: float
    groups: tuple[str, ...]
    agents: tuple[tuple[int, ...], ...]
    kpis: tuple[IntervalKPI, ...]
    hourly_cost: Mapping[str, float]
    costed: bool
    shrinkage: float
    seed: int
    simulations: int
    #: The scenario planned (its teams, workload and policy).
    scenario: Scenario = attrs.field(repr=False, eq=False)
    #: Each judged channel's service-level goal.
    goals: Mapping[str, float]
    verification_replications: int
    #: Workload → arrivals per hour per interval that replaced the scenario's rates.
    forecast: Mapping[str, tuple[float, ...]] = attrs.field(factory=dict)
    baseline: StaffingPlan | None = None

    @property
    def intervals(self) -> list[datetime]:
        """When each interval begins."""
        step = timedelta(minutes=self.interval_minutes)
        return [self.start + index * step for index in range(len(self.agents))]

    @property
    def channels(self) -> list[str]:
        """The channels judged, in order."""
        return list(dict.fromkeys(kpi.channel for kpi in self.kpis))

    @property
    def cost(self) -> PlanCost:
        """Agent-hours on duty, paid hours after shrinkage, and money where costs are set."""
        hours = self.interval_minutes / 60.0
        on_duty = sum(sum(row) for row in self.agents) * hours
        paid = on_duty / (1.0 - self.shrinkage)
        money = None
        if self.costed:
            money = sum(
                count * hours / (1.0 - self.shrinkage) * self.hourly_cost[group]
                for row in self.agents
                for group, count in zip(self.groups, row, strict=True)
            )
        return PlanCost(on_duty, paid, money)

    def agent_hours(self, group: str) -> float:
        """Hours on duty of one group."""
        position = self.groups.index(group)
        return sum(row[position] for row in self.agents) * self.interval_minutes / 60.0

    @property
    def saving(self) -> float | None:
        """Agent-hours saved against the baseline (negative: the plan needs more)."""
        if self.baseline is None:
            return None
        return self.baseline.cost.agent_hours - self.cost.agent_hours

    @property
    def unmet(self) -> list[IntervalKPI]:
        """Every (interval, channel) whose target the verification did not meet."""
        return [kpi for kpi in self.kpis if not kpi.met]

    def kpi(self, interval: int, channel: str) -> IntervalKPI:
        """The KPIs of ``channel`` in ``interval``."""
        for kpi in self.kpis:
            if kpi.interval == interval and kpi.channel == channel:
                return kpi
        raise KeyError(f"no KPIs for channel {channel!r} in interval {interval}")

    def service_level(self, channel: str) -> float:
        """The channel's service level over the whole day (verified customers pooled)."""
        judged = within = 0.0
        for kpi in self.kpis:
            if kpi.channel == channel and not math.isnan(kpi.service_level.mean):
                judged += kpi.customers.mean
                within += kpi.customers.mean * kpi.service_level.mean
        return within / judged if judged else math.nan

    def rows(self) -> list[dict[str, Any]]:
        """One plain row per interval: agents per group, then each channel's KPIs."""
        table = []
        for index, start in enumerate(self.intervals):
            row: dict[str, Any] = {"interval": start}
            for group, count in zip(self.groups, self.agents[index], strict=True):
                row[f"{group} agents"] = count
            for kpi in self.kpis:
                if kpi.interval != index:
                    continue
                name = kpi.channel
                row[f"{name} service level"] = kpi.service_level.mean
                row[f"{name} low"] = kpi.service_level.low
                row[f"{name} high"] = kpi.service_level.high
                row[f"{name} goal"] = kpi.goal
                row[f"{name} met"] = kpi.met
                row[f"{name} abandoned"] = kpi.abandonment.mean
                row[f"{name} customers"] = kpi.customers.mean
            table.append(row)
        return table

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``, one row per interval: agents per group, KPIs per channel.

        Needs the ``omnirouter[notebook]`` extra (pandas).
        """
        from omnirouter.planning._plots import dataframe

        return dataframe(self.rows())

    def plot_staffing(self, ax: Any = None) -> Any:
        """A heat-map of agents by interval and group (needs ``omnirouter[notebook]``)."""
        from omnirouter.planning._plots import staffing_heatmap

        return staffing_heatmap(self, ax)

    def plot_service_level(self, channel: str | None = None, ax: Any = None) -> Any:
        """Service level by interval with its 95 % band, against the target line.

        ``channel=None`` draws every channel. Needs the ``omnirouter[notebook]`` extra.
        """
        from omnirouter.planning._plots import service_level_chart

        return service_level_chart(self, channel, ax)

    def table(self) -> str:
        """The plan as a text table: agents per group and service level per channel."""
        from omnirouter.planning._text import plan_table

        return plan_table(self)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data: the staffing, the KPIs, the cost, and the baseline's."""
        cost = self.cost
        return {
            "name": self.name,
            "method": self.method,
            "start": self.start.isoformat(),
            "interval_minutes": self.interval_minutes,
            "groups": list(self.groups),
            "agents": [list(row) for row in self.agents],
            "cost": {
                "agent_hours": cost.agent_hours,
                "paid_hours": cost.paid_hours,
                "money": cost.money,
            },
            "kpis": [
                {
                    "interval": kpi.interval,
                    "channel": kpi.channel,
                    "goal": kpi.goal,
                    "met": kpi.met,
                    "service_level": kpi.service_level.to_json(),
                    "abandonment": kpi.abandonment.to_json(),
                    "customers": kpi.customers.to_json(),
                }
                for kpi in self.kpis
            ],
            "seed": self.seed,
            "simulations": self.simulations,
            "baseline": None if self.baseline is None else self.baseline.to_json(),
        }


def _check_options(
    replications: int,
    verification_replications: int,
    shrinkage: float,
    occupancy: float | None,
    safety: float,
) -> None:
    problems = []
    if not isinstance(safety, int | float) or not math.isfinite(safety) or safety < 0:
        problems.append(ErrorDetail(("safety",), "must be a finite number >= 0"))
    for name, value in (
        ("replications", replications),
        ("verification_replications", verification_replications),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            problems.append(ErrorDetail((name,), f"must be a whole number >= 2, not {value!r}"))
    if not isinstance(shrinkage, int | float) or not 0.0 <= shrinkage < 1.0:  # NaN fails too
        problems.append(ErrorDetail(("shrinkage",), "must be a share in [0, 1)"))
    if occupancy is not None and (
        not isinstance(occupancy, int | float) or not 0.0 < occupancy <= 1.0
    ):
        problems.append(ErrorDetail(("max_occupancy",), "must be a share in (0, 1]"))
    if problems:
        raise ValidationError("plan_staffing options", problems)


@attrs.frozen
class _Setting:
    """What a planning run knows about its scenario before any staffing is simulated."""

    day: Day
    groups: tuple[Group, ...]
    goals: dict[str, float]
    able: tuple[frozenset[int], ...]
    reach: int
    #: Workload source → the groups the router gives its work.
    eligible: dict[str, frozenset[str]]


def _setting(
    scenario: Scenario,
    interval_minutes: float,
    hourly_cost: Any,
    forecast: Mapping[str, Sequence[float]] | None,
) -> _Setting:
    day = planning_day(scenario, interval_minutes, forecast)
    groups = tuple(skill_groups(scenario, hourly_cost))
    eligible = eligibility(day.template, groups)
    position = {group.name: index for index, group in enumerate(groups)}
    goals: dict[str, float] = {}
    serving: dict[str, set[int]] = {}
    for source in scenario.workload:
        channels = [source.channel] + (["callback"] if source.callback_share > 0 else [])
        for channel in channels:
            goals.setdefault(channel, scenario.service_level_target(channel).goal)
            serving.setdefault(channel, set()).update(
                position[name] for name in eligible[source.name]
            )
    longest = max(
        scenario.service_level_target(channel).threshold.total_seconds() for channel in goals
    )
    reach = math.ceil(longest / day.interval_seconds)
    return _Setting(
        day,
        groups,
        goals,
        tuple(frozenset(serving[channel]) for channel in goals),
        reach,
        eligible,
    )


def kpis_of(outcome: Outcome, day: Day) -> tuple[IntervalKPI, ...]:
    """The verified KPIs of an outcome, per interval and channel."""
    kpis = []
    for index in range(day.intervals):
        for channel in outcome.channels():
            kpis.append(
                IntervalKPI(
                    interval=index,
                    start=day.interval_start(index),
                    channel=channel,
                    goal=outcome.goals[channel],
                    service_level=outcome.estimate(channel, index),
                    abandonment=outcome.estimate(channel, index, "abandonment"),
                    customers=outcome.estimate(channel, index, "customers"),
                )
            )
    return tuple(kpis)


def plan_staffing(
    scenario: Scenario,
    interval_minutes: float = 30,
    executor: Executor | None = None,
    *,
    workers: int | None = None,
    hourly_cost: Mapping[str, float] | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    replications: int = 8,
    verification_replications: int = 20,
    safety: float = 1.0,
    seed: int | None = None,
    forecast: Mapping[str, Sequence[float]] | str | Path | None = None,
    progress: PlanProgress | None = None,
) -> StaffingPlan:
    """The cheapest staffing per interval and team that meets every channel's target.

    The scenario's teams are the skill groups (their size is ignored; each team's
    template is what an agent of the group can do), its workload the forecast, its
    queues, priority and blending rules the policy the router runs. ``hourly_cost``
    maps team names to a cost per agent-hour (default 1 each); ``shrinkage`` is the
    share of paid time not on duty; ``max_occupancy`` keeps enough agents that the
    offered load stays below that share of them.

    The search simulates ``replications`` per candidate on ``seed`` (common random
    numbers), asking each interval's service level to clear its goal by ``safety``
    standard errors; the plan found and the Erlang baseline are then verified with
    ``verification_replications`` others. Simulations run through ``executor`` (any
    :class:`concurrent.futures.Executor`), else a local process pool of ``workers``
    (default: every core); the plan is the same whatever runs it.

    ``forecast`` (workload name → arrivals per hour in each interval, or a CSV file
    read by :func:`load_forecast`) replaces the scenario's rates for those workloads.
    """
    _check_options(replications, verification_replications, shrinkage, max_occupancy, safety)
    used_seed = scenario.seed if seed is None else seed
    rates = load_forecast(forecast) if isinstance(forecast, str | Path) else forecast
    setting = _setting(scenario, interval_minutes, hourly_cost, rates)
    day = setting.day
    start = erlang_staffing(day, scenario, setting.groups, setting.eligible)
    floors = [0] * day.intervals
    if max_occupancy is not None:
        floors = [math.ceil(load / max_occupancy) for load in workload_erlangs(day, scenario)]
        cheapest = min(range(len(setting.groups)), key=lambda g: setting.groups[g].hourly_cost)
        start = tuple(
            _raise_to(row, floor, cheapest) for row, floor in zip(start, floors, strict=True)
        )
    with executor_for(executor, workers, default_workers=None, where="plan_staffing") as pool:
        evaluator = Evaluator(
            day.template, setting.groups, setting.goals, pool, progress, safety=safety
        )
        found = search(
            evaluator,
            start,
            setting.groups,
            setting.able,
            floors,
            replications=replications,
            seed=used_seed,
            reach=setting.reach,
        )
        checked, baseline = evaluator.run(
            [found.staffing, start],
            verification_replications,
            used_seed,
            "verify",
            first=replications,
        )
    erlang_plan = StaffingPlan(
        name=scenario.name,
        method="erlang",
        start=day.start,
        interval_minutes=day.interval_minutes,
        groups=tuple(group.name for group in setting.groups),
        agents=start,
        kpis=kpis_of(baseline, day),
        hourly_cost={group.name: group.hourly_cost for group in setting.groups},
        costed=bool(hourly_cost),
        shrinkage=float(shrinkage),
        seed=used_seed,
        simulations=verification_replications,
        scenario=scenario,
        goals=dict(setting.goals),
        verification_replications=verification_replications,
        forecast={name: tuple(values) for name, values in (rates or {}).items()},
    )
    return attrs.evolve(
        erlang_plan,
        method="simulation",
        agents=found.staffing,
        kpis=kpis_of(checked, day),
        simulations=evaluator.simulations,
        baseline=erlang_plan,
    )


def _raise_to(row: Sequence[int], floor: int, cheapest: int) -> tuple[int, ...]:
    """The row with the cheapest group raised until the total reaches ``floor``."""
    missing = floor - sum(row)
    if missing <= 0:
        return tuple(row)
    raised = list(row)
    raised[cheapest] += missing
    return tuple(raised)
