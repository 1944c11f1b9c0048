"""Evaluating staffings: batches of replications through an executor, KPIs per interval.

A job is ``(template, groups, staffing, replication, seed)``; the worker builds the
roster itself, so only the staffing travels besides the (shared) template. Candidates
simulated with the same seed and replication numbers meet the same customers (common
random numbers): their differences come from the staffing alone.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs

from omnirouter.planning._groups import Group, Staffing, roster
from omnirouter.simulation._parallel import run_ordered
from omnirouter.simulation.runner import Simulation
from omnirouter.simulation.scenario import RosterAgent, Scenario
from omnirouter.simulation.stats import Estimate, confidence_interval

__all__ = ["Counts", "Evaluator", "Outcome"]

#: Channel → per interval ``(answered, answered within the threshold, abandoned or never
#: answered by the end of the day)``.
Counts = dict[str, tuple[tuple[int, int, int], ...]]
#: Told as a batch advances: ``(stage, jobs done, jobs in the batch)``.
PlanProgress = Callable[[str, int, int], None]


def _counts(simulation: Simulation, intervals: int) -> Counts:
    """Run one replication; per channel and planning interval its interval counts.

    Customers never answered by the end of the simulated day (no agent could take
    their work) count against the interval they arrived in, with the abandoned.
    """
    result = simulation.run()
    scenario = simulation.scenario
    start, width = scenario.start_epoch, scenario.interval_minutes * 60.0
    unanswered: dict[str, list[int]] = {}
    for customer in simulation.customers.values():
        tally = customer.channel
        if customer.answered if tally.synchronous else customer.done:
            continue
        index = int((customer.arrived - start) / width)
        if index < intervals:
            unanswered.setdefault(tally.name, [0] * intervals)[index] += 1
    counts: Counts = {}
    for channel, rows in result.intervals.items():
        extra = unanswered.get(channel, [0] * intervals)
        counts[channel] = tuple(
            (answered, within, lost + extra[index])
            for index, (answered, within, lost) in enumerate(rows[:intervals])
        )
    return counts


def _replicate(
    template: Scenario,
    groups: tuple[Group, ...],
    staffing: Staffing,
    replication: int,
    seed: int,
) -> Counts:
    """One replication of one staffing; module level, so a process pool can run it."""
    agents = roster(template, groups, staffing, template.interval_minutes)
    scenario = template.model_copy(update={"teams": [], "agents": agents})
    return _counts(Simulation(scenario, replication, seed=seed), len(staffing))


def _replicate_roster(
    template: Scenario,
    agents: list[RosterAgent],
    intervals: int,
    replication: int,
    seed: int,
) -> Counts:
    """One replication of a roster given agent by agent (shift templates)."""
    scenario = template.model_copy(update={"teams": [], "agents": agents})
    return _counts(Simulation(scenario, replication, seed=seed), intervals)


@attrs.frozen
class Outcome:
    """The KPIs of one staffing: every replication's interval counts."""

    staffing: Staffing
    replications: tuple[Counts, ...]
    goals: dict[str, float]
    #: How many standard errors above its goal an interval's pooled level must be.
    safety: float = 0.0

    def channels(self) -> list[str]:
        """The channels with customers, in the order of the goals."""
        seen = {channel for counts in self.replications for channel in counts}
        return [channel for channel in self.goals if channel in seen]

    def pooled(self, channel: str, interval: int) -> tuple[int, int, int]:
        """``(answered, within, abandoned)`` summed over the replications."""
        cells = [counts[channel][interval] for counts in self.replications if channel in counts]
        return (
            sum(cell[0] for cell in cells),
            sum(cell[1] for cell in cells),
            sum(cell[2] for cell in cells),
        )

    def service_level(self, channel: str, interval: int) -> float:
        """Answered within the threshold over judged (answered or abandoned), pooled."""
        answered, within, abandoned = self.pooled(channel, interval)
        judged = answered + abandoned
        return within / judged if judged else math.nan

    def short(self, channel: str, interval: int) -> float:
        """How far one channel falls short of its goal in ``interval`` (0: met).

        With ``safety``, the channel's pooled service level must clear its goal by that
        many standard errors (from the spread between replications), so that a plan
        found on these replications holds on others.
        """
        answered, within, abandoned = self.pooled(channel, interval)
        judged = answered + abandoned
        if not judged:
            return 0.0
        bar = self.goals[channel]
        if self.safety:
            levels = [
                cell[1] / (cell[0] + cell[2])
                for cell in (
                    counts[channel][interval] for counts in self.replications if channel in counts
                )
                if cell[0] + cell[2]
            ]
            if len(levels) > 1:
                bar += self.safety * statistics.stdev(levels) / math.sqrt(len(levels))
        return max(0.0, bar - within / judged)

    def shortfall(self, interval: int) -> float:
        """How far the interval's channels fall short of their goals, summed (0: met)."""
        return sum(self.short(channel, interval) for channel in self.channels())

    def meets(self, interval: int) -> bool:
        """Every channel meets its goal in ``interval`` (an empty one does)."""
        return self.shortfall(interval) <= 0.0

    def estimate(self, channel: str, interval: int, figure: str = "service_level") -> Estimate:
        """The figure's mean over replications with its 95 % interval."""
        values = []
        for counts in self.replications:
            if channel not in counts:
                continue
            answered, within, abandoned = counts[channel][interval]
            judged = answered + abandoned
            if figure == "service_level":
                values.append(within / judged if judged else math.nan)
            elif figure == "abandonment":
                values.append(abandoned / judged if judged else math.nan)
            else:
                values.append(float(judged))
        return confidence_interval(values)


@attrs.define
class Evaluator:
    """Runs batches of staffings, ``replications`` each, with one seed (common numbers)."""

    template: Scenario
    groups: tuple[Group, ...]
    goals: dict[str, float]
    executor: Executor | None
    progress: PlanProgress | None = None
    safety: float = 0.0
    simulations: int = 0
    #: Interval counts of every (staffing, replication, seed) simulated so far.
    known: dict[tuple[Staffing, int, int], Counts] = attrs.field(factory=dict)

    def run(
        self,
        staffings: Sequence[Staffing],
        replications: int,
        seed: int,
        stage: str,
        *,
        first: int = 0,
    ) -> list[Outcome]:
        """Each staffing's outcome over replications ``first …`` of ``seed``.

        Replication numbers the search never used give an independent verification.
        """
        keys = [
            (staffing, replication, seed)
            for staffing in staffings
            for replication in range(first, first + replications)
        ]
        # A replication of a staffing already simulated is not simulated again (the
        # fine pass starts on the coarse pass's replications; sweeps revisit candidates).
        fresh = list(dict.fromkeys(key for key in keys if key not in self.known))
        jobs = [(self.template, self.groups, *key) for key in fresh]
        self.known.update(zip(fresh, self._batch(_replicate, jobs, stage), strict=True))
        return self._outcomes(staffings, [self.known[key] for key in keys], replications)

    def run_roster(
        self,
        rosters: Sequence[list[RosterAgent]],
        intervals: int,
        replications: int,
        seed: int,
        stage: str,
        *,
        first: int = 0,
    ) -> list[Outcome]:
        """Each roster's outcome (its staffing left empty) over replications ``first …``."""
        jobs = [
            (self.template, agents, intervals, replication, seed)
            for agents in rosters
            for replication in range(first, first + replications)
        ]
        results = self._batch(_replicate_roster, jobs, stage)
        return self._outcomes([() for _ in rosters], results, replications)

    def _batch(
        self, function: Callable[..., Counts], jobs: list[tuple[Any, ...]], stage: str
    ) -> list[Counts]:
        told = None
        if self.progress is not None:
            progress = self.progress

            def told(done: int, total: int) -> None:
                progress(stage, done, total)

        results = run_ordered(function, jobs, self.executor, told)
        self.simulations += len(jobs)
        return results

    def _outcomes(
        self, staffings: Sequence[Staffing], results: list[Counts], replications: int
    ) -> list[Outcome]:
        return [
            Outcome(
                staffing,
                tuple(results[index * replications : (index + 1) * replications]),
                self.goals,
                self.safety,
            )
            for index, staffing in enumerate(staffings)
        ]
