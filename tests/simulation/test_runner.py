"""The simulator drives the real router: agreement with queueing theory, and reproducibility."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from omnirouter import erlang
from omnirouter.simulation import Scenario, Simulation, compare, simulate

MM10 = """
name = "M/M/10"
horizon_hours = 60
warmup_hours = 2
replications = 6
seed = 11

[[teams]]
name = "desk"
size = 10
capacity = { voice = 1 }

[[workload]]
channel = "voice"
rate_per_hour = 120
handle_time = { distribution = "exponential", mean_seconds = 240 }
"""


@pytest.fixture(scope="module")
def mm10() -> Any:
    return simulate(Scenario.from_toml(MM10))


def test_mm10_agrees_with_erlang_c(mm10: Any) -> None:
    voice = mm10.channels()["voice"]
    # Exact: P(wait) 0.40918, ASA 49.10 s, P(wait <= 20 s) 0.65364, utilisation 0.8.
    assert voice["p_wait"].contains(erlang.erlang_c(8.0, 10))
    assert voice["asa"].contains(erlang.asa(8.0, 10, 240.0))
    assert voice["service_level"].contains(erlang.service_level(8.0, 10, 240.0, 20.0))
    assert mm10.teams()["desk"]["utilisation"].contains(0.8)
    # The intervals are informative, not vacuous.
    assert voice["service_level"].half_width < 0.05
    assert voice["asa"].half_width < 15.0
    assert voice["abandonment_rate"].mean == 0.0


def test_waiting_distribution_matches_erlang_c(mm10: Any) -> None:
    distribution = mm10.waiting_distribution("voice")
    total = distribution.total
    # Share answered within 20 s (bins are 1 s wide: threshold / 20).
    assert distribution.bin_width == pytest.approx(1.0)
    within = sum(distribution.counts[:20]) / total
    assert within == pytest.approx(erlang.service_level(8.0, 10, 240.0, 20.0), abs=0.03)
    levels = mm10.service_level_by_interval("voice")
    assert len(levels) == 116  # 58 measured hours in 30-minute intervals
    assert all(0.0 <= level <= 1.0 for _, level in levels if not math.isnan(level))


TWO_CLASSES = """
name = "two classes"
horizon_hours = 150
warmup_hours = 2
replications = 4
seed = 5

[[teams]]
name = "desk"
size = 2
capacity = { per_channel = { voice = 1, video = 1 }, total = 1 }

[[workload]]
name = "gold"
channel = "video"
rate_per_hour = 12
priority = 1000
handle_time = { distribution = "exponential", mean_seconds = 240 }
patience = { distribution = "exponential", mean_seconds = 180 }

[[workload]]
name = "standard"
channel = "voice"
rate_per_hour = 12
handle_time = { distribution = "exponential", mean_seconds = 240 }
patience = { distribution = "exponential", mean_seconds = 120 }
"""


def _priority_ctmc(
    agents: int, arrivals: tuple[float, float], service: float, abandon: tuple[float, float]
) -> tuple[list[float], list[float]]:
    """Exact M/M/N+M with two classes and non-preemptive priority of class 0.

    States: ``("idle", b)`` with b busy agents and nobody waiting, or ``(q0, q1)`` with
    every agent busy and q0, q1 waiting. Returns per class (E[waiting], P(abandon)).
    """
    numpy = pytest.importorskip("numpy")
    cap = 25
    states: list[Any] = [("idle", b) for b in range(agents)]
    states += list(itertools.product(range(cap + 1), range(cap + 1)))
    index = {state: number for number, state in enumerate(states)}
    rates = numpy.zeros((len(states), len(states)))

    def add(source: Any, target: Any, rate: float) -> None:
        rates[index[source], index[target]] += rate

    for b in range(agents):
        after = ("idle", b + 1) if b + 1 < agents else (0, 0)
        add(("idle", b), after, arrivals[0] + arrivals[1])
        if b:
            add(("idle", b), ("idle", b - 1), b * service)
    for q0, q1 in itertools.product(range(cap + 1), range(cap + 1)):
        here = (q0, q1)
        if q0 < cap:
            add(here, (q0 + 1, q1), arrivals[0])
        if q1 < cap:
            add(here, (q0, q1 + 1), arrivals[1])
        done = agents * service
        if q0:
            add(here, (q0 - 1, q1), done + q0 * abandon[0])
        elif q1:
            add(here, (q0, q1 - 1), done)
        else:
            add(here, ("idle", agents - 1), done)
        if q1:
            add(here, (q0, q1 - 1), q1 * abandon[1])
    generator = rates - numpy.diag(rates.sum(axis=1))
    system = numpy.vstack([generator.T, numpy.ones(len(states))])
    right = numpy.zeros(len(states) + 1)
    right[-1] = 1.0
    stationary = numpy.linalg.lstsq(system, right, rcond=None)[0]
    waiting = [0.0, 0.0]
    for state, share in zip(states, stationary, strict=True):
        if state[0] != "idle":
            waiting[0] += state[0] * share
            waiting[1] += state[1] * share
    lost = [abandon[k] * waiting[k] / arrivals[k] for k in range(2)]
    return waiting, lost


def test_priorities_and_abandonment_agree_with_an_exact_markov_chain() -> None:
    report = simulate(Scenario.from_toml(TWO_CLASSES))
    waiting, lost = _priority_ctmc(2, (12 / 3600, 12 / 3600), 1 / 240, (1 / 180, 1 / 120))
    channels = report.channels()
    gold, standard = channels["video"], channels["voice"]
    for figures, k in ((gold, 0), (standard, 1)):
        # A little slack on top of the interval: 4 replications give a wide t quantile
        # but the interval itself is the statistical statement under test.
        assert figures["abandonment_rate"].contains(lost[k], slack=0.01), (k, figures)
        assert figures["backlog_mean"].contains(waiting[k], slack=0.02), (k, figures)
    # The test can tell the priority apart: with standard served first the chain
    # predicts figures the simulation is far from.
    _, reversed_lost = _priority_ctmc(2, (12 / 3600, 12 / 3600), 1 / 240, (1 / 120, 1 / 180))
    assert not gold["abandonment_rate"].contains(reversed_lost[1], slack=0.01)
    assert not standard["abandonment_rate"].contains(reversed_lost[0], slack=0.01)


def test_same_seed_gives_identical_results() -> None:
    scenario = Scenario.from_toml(MM10).with_changes(horizon_hours=6, warmup_hours=0.5)
    first = simulate(scenario, replications=2)
    second = simulate(scenario, replications=2)
    assert first.to_json() == second.to_json()
    other = simulate(scenario, replications=2, seed=12)
    assert other.to_json() != first.to_json()


def _arrivals_seen(scenario: Scenario) -> tuple[dict[str, float], dict[str, float]]:
    simulation = Simulation(scenario)
    arrived: dict[str, float] = {}
    started: dict[str, float] = {}
    handled: dict[str, float] = {}

    def record(event: Any) -> None:
        if event.kind == "queued":
            arrived.setdefault(event.interaction_id, event.at)
        elif event.kind == "assigned":
            started[event.interaction_id] = event.at
        elif event.kind == "completed":
            handled[event.interaction_id] = event.at - started[event.interaction_id]

    simulation.router.subscribe(record)
    simulation.run()
    return arrived, handled


def test_different_policies_see_identical_customers() -> None:
    base = Scenario.from_toml(MM10).with_changes(horizon_hours=4, warmup_hours=0)
    data = base.model_dump()
    data["teams"] = [
        {"name": "fast", "size": 4, "capacity": {"voice": 1}},
        {"name": "slow", "size": 6, "capacity": {"voice": 1}},
    ]
    data["router"] = {"selection": "round_robin"}
    variant = Scenario.model_validate(data)
    arrived_a, handled_a = _arrivals_seen(base)
    arrived_b, handled_b = _arrivals_seen(variant)
    assert len(arrived_a) > 300
    assert arrived_a == arrived_b
    common = handled_a.keys() & handled_b.keys()
    assert len(common) > 0.9 * len(arrived_a)
    assert all(handled_a[key] == pytest.approx(handled_b[key]) for key in common)


def test_compare_runs_every_policy_on_the_same_seed() -> None:
    base = Scenario.from_toml(MM10).with_changes(horizon_hours=3, warmup_hours=0)
    understaffed = base.model_dump()
    understaffed["name"] = "nine agents"
    understaffed["teams"][0]["size"] = 9
    calls: list[tuple[int, int]] = []
    reports = compare(
        [base, Scenario.model_validate(understaffed)],
        replications=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert [report.seed for report in reports] == [11, 11]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    offered = [report.channels()["voice"]["offered"].mean for report in reports]
    assert offered[0] == offered[1]
    asa = [report.channels()["voice"]["asa"].mean for report in reports]
    assert asa[1] > asa[0]


ONE_QUEUE_TWO_CHANNELS = """
name = "one queue"
horizon_hours = 6
warmup_hours = 0.5
replications = 1
seed = 5

[[teams]]
name = "desk"
size = 3
capacity = { voice = 1, email = 2, callback = 1 }

[[queues]]
name = "all"

[[workload]]
channel = "voice"
rate_per_hour = 40
handle_time = { distribution = "exponential", mean_seconds = 200 }
patience = { distribution = "exponential", mean_seconds = 90 }
callback_share = 0.5
callback_delay = 120

[[workload]]
channel = "email"
rate_per_hour = 8
handle_time = { distribution = "exponential", mean_seconds = 300 }
"""


def test_with_one_queue_its_figures_are_those_the_queue_events_give() -> None:
    # With one queue the runner takes each channel's figures for the queue's (no
    # "queued" events, no queue tallies). A second queue that accepts nothing makes it
    # count the queue from the router's events instead: the figures must be the same.
    single = Scenario.from_toml(ONE_QUEUE_TWO_CHANNELS)
    two = Scenario.from_toml(
        ONE_QUEUE_TWO_CHANNELS + '[[queues]]\nname = "never"\naccepts = "reason == \'x\'"\n'
    )
    simulation = Simulation(single)
    queued: list[str | None] = []
    simulation.router.subscribe(lambda event: queued.append(event.queue), kinds=["queued"])
    mirrored = simulation.run()
    counted = Simulation(two).run()
    assert set(queued) == {"all"}
    assert len(queued) == mirrored.customers
    assert list(mirrored.queues) == list(counted.queues)
    assert set(mirrored.queues) == {"all / voice", "all / email", "all / callback"}
    assert repr(mirrored.queues) == repr(counted.queues)  # NaN-safe, exact floats
    assert repr(mirrored.channels) == repr(counted.channels)
    voice = mirrored.queues["all / voice"]
    assert voice["abandoned"] > 0
    assert voice["offered"] == mirrored.channels["voice"]["offered"]
    assert mirrored.channels["callback"]["offered"] > 0
