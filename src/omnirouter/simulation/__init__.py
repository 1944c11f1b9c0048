"""Simulation: the production router under a virtual clock, with workload and KPIs.

A :class:`Scenario` (a TOML file) describes channels, queues, agents, workload and
horizon; the runner drives the real :class:`omnirouter.Router` through its injected
clock, and reports service level, speed of answer, abandonment, backlog and
occupancy per channel, queue and team, with confidence intervals across
replications.
"""

from omnirouter.simulation.distributions import (
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
)
from omnirouter.simulation.kernel import EventKernel
from omnirouter.simulation.results import (
    ReplicationResult,
    Report,
    WaitingDistribution,
    format_comparison,
)
from omnirouter.simulation.runner import PriorityStrategy, Progress, Simulation, compare, simulate
from omnirouter.simulation.scenario import (
    BlendRuleSpec,
    Break,
    QueueSpec,
    RosterAgent,
    Scenario,
    Shift,
    Team,
    WorkloadSource,
    load_scenario,
)
from omnirouter.simulation.stats import Estimate, Histogram, RunningStats, confidence_interval
from omnirouter.simulation.streams import RandomStreams
from omnirouter.simulation.workload import (
    RateSegment,
    day_curve_segments,
    poisson_arrivals,
    replayed_arrivals,
)

__all__ = [
    "BlendRuleSpec",
    "Break",
    "Constant",
    "Distribution",
    "Empirical",
    "Estimate",
    "EventKernel",
    "Exponential",
    "Gamma",
    "Histogram",
    "LogNormal",
    "PriorityStrategy",
    "Progress",
    "QueueSpec",
    "RandomStreams",
    "RateSegment",
    "ReplicationResult",
    "Report",
    "RosterAgent",
    "RunningStats",
    "Scenario",
    "Shift",
    "Simulation",
    "Team",
    "WaitingDistribution",
    "WorkloadSource",
    "compare",
    "confidence_interval",
    "day_curve_segments",
    "format_comparison",
    "load_scenario",
    "poisson_arrivals",
    "replayed_arrivals",
    "simulate",
]
