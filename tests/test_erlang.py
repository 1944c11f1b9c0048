"""Erlang B, C and A against known values, direct formulas and a Monte-Carlo queue."""

from __future__ import annotations

import heapq
import math
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter import erlang


def test_scenario_a_matches_the_published_values() -> None:
    # M/M/10, 2 arrivals/min, 4 min handle time: A = 8 Erlangs.
    assert erlang.erlang_c(8.0, 10) == pytest.approx(0.40918, abs=5e-6)
    assert erlang.asa(8.0, 10, aht=240.0) == pytest.approx(49.10, abs=5e-3)
    assert erlang.service_level(8.0, 10, aht=240.0, threshold=20.0) == pytest.approx(
        0.65364, abs=5e-6
    )
    assert erlang.occupancy(8.0, 10) == pytest.approx(0.8)


def _erlang_b_direct(traffic: float, agents: int) -> float:
    terms = [traffic**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 40.0), st.integers(1, 60))
def test_erlang_b_recursion_equals_the_direct_formula(traffic: float, agents: int) -> None:
    assert erlang.erlang_b(traffic, agents) == pytest.approx(
        _erlang_b_direct(traffic, agents), rel=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(st.floats(0.1, 30.0), st.integers(1, 50))
def test_erlang_c_equals_the_direct_formula(traffic: float, agents: int) -> None:
    if traffic >= agents:
        assert erlang.erlang_c(traffic, agents) == 1.0
        assert erlang.service_level(traffic, agents, 60.0, 20.0) == 0.0
        assert erlang.asa(traffic, agents, 60.0) == math.inf
        return
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    below = sum(traffic**k / math.factorial(k) for k in range(agents))
    assert erlang.erlang_c(traffic, agents) == pytest.approx(top / (below + top), rel=1e-9)


@pytest.mark.parametrize("agents", [1_000, 5_000, 20_000])
def test_large_staffing_stays_finite_and_sensible(agents: int) -> None:
    traffic = 0.95 * agents
    waiting = erlang.erlang_c(traffic, agents)
    assert 0.0 < waiting < 1.0
    level = erlang.service_level(traffic, agents, aht=240.0, threshold=20.0)
    assert 0.0 < level <= 1.0
    # More agents never make things worse.
    assert erlang.erlang_c(traffic, agents + 10) < waiting
    assert erlang.asa(traffic, agents, 240.0) > erlang.asa(traffic, agents + 10, 240.0)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.5, 200.0), st.floats(0.5, 0.95), st.floats(5.0, 60.0))
def test_agents_for_service_level_is_the_smallest_that_suffices(
    traffic: float, target: float, threshold: float
) -> None:
    agents = erlang.agents_for_service_level(traffic, 240.0, threshold, target)
    assert erlang.service_level(traffic, agents, 240.0, threshold) >= target
    if agents > 1:
        assert erlang.service_level(traffic, agents - 1, 240.0, threshold) < target


def test_agents_for_asa_is_the_smallest_that_suffices() -> None:
    agents = erlang.agents_for_asa(8.0, 240.0, 30.0)
    assert erlang.asa(8.0, agents, 240.0) <= 30.0 < erlang.asa(8.0, agents - 1, 240.0)
    assert agents == 11


def test_staffing_search_says_when_it_gives_up() -> None:
    with pytest.raises(om.ValidationError, match="max_agents"):
        erlang.agents_for_service_level(500.0, 240.0, 20.0, 0.8, max_agents=100)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: erlang.erlang_c(-1.0, 10), "traffic"),
        (lambda: erlang.erlang_c(math.nan, 10), "traffic"),
        (lambda: erlang.erlang_c(8.0, 0), "agents"),
        (lambda: erlang.erlang_c(8.0, 2.5), "agents"),
        (lambda: erlang.service_level(8.0, 10, 0.0, 20.0), "aht"),
        (lambda: erlang.service_level(8.0, 10, 240.0, -1.0), "threshold"),
        (lambda: erlang.agents_for_service_level(8.0, 240.0, 20.0, 1.5), "target"),
        (lambda: erlang.erlang_a(8.0, 10, 240.0, 0.0), "patience"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(om.ValidationError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.fields == [field]


def test_erlang_a_without_abandonment_is_erlang_c() -> None:
    result = erlang.erlang_a(8.0, 10, 240.0, patience=1e12, threshold=20.0)
    assert result.p_all_busy == pytest.approx(erlang.erlang_c(8.0, 10), rel=1e-6)
    assert result.p_wait == pytest.approx(erlang.erlang_c(8.0, 10), rel=1e-6)
    assert result.asa == pytest.approx(erlang.asa(8.0, 10, 240.0), rel=1e-6)
    assert result.service_level == pytest.approx(
        erlang.service_level(8.0, 10, 240.0, 20.0), rel=1e-6
    )
    assert result.p_abandon < 1e-6


def test_erlang_a_is_stable_even_when_overloaded() -> None:
    # Abandonment keeps an overloaded queue stable: Erlang C would say "infinite wait".
    result = erlang.erlang_a(1_200.0, 1_000, 240.0, patience=60.0, threshold=20.0)
    assert 0.0 < result.p_abandon < 1.0
    assert result.p_wait > 0.99
    assert 0.99 < result.occupancy <= 1.0
    assert result.service_level is not None
    assert 0.0 <= result.service_level < 1.0


def _simulate_mmn_plus_m(
    arrival: float, aht: float, patience: float, agents: int, threshold: float, customers: int
) -> tuple[float, float, float]:
    """A plain FCFS M/M/N+M simulation: (P(abandon), mean wait of all, P(answered ≤ t))."""
    rng = random.Random(7)
    free = agents
    finishes: list[float] = []
    waiting: list[tuple[float, float]] = []  # (arrived, gives_up_at), FCFS order
    now = 0.0
    abandoned = answered_fast = 0
    total_wait = 0.0
    next_arrival = rng.expovariate(arrival)
    counted = 0
    while counted < customers:
        next_finish = finishes[0] if finishes else math.inf
        if next_arrival <= next_finish:
            now = next_arrival
            next_arrival = now + rng.expovariate(arrival)
            waiting.append((now, now + rng.expovariate(1.0 / patience)))
        else:
            now = heapq.heappop(finishes)
            free += 1
        # Drop those whose patience ran out, then serve from the head.
        while free and waiting:
            arrived, gives_up = waiting.pop(0)
            if gives_up < now:
                abandoned += 1
                total_wait += gives_up - arrived
                counted += 1
                continue
            free -= 1
            heapq.heappush(finishes, now + rng.expovariate(1.0 / aht))
            total_wait += now - arrived
            answered_fast += now - arrived <= threshold
            counted += 1
    return abandoned / counted, total_wait / counted, answered_fast / counted


def test_erlang_a_agrees_with_a_monte_carlo_queue() -> None:
    exact = erlang.erlang_a(9.0, 10, 240.0, patience=120.0, threshold=20.0)
    p_abandon, mean_wait, level = _simulate_mmn_plus_m(
        9.0 / 240.0, 240.0, 120.0, 10, 20.0, customers=60_000
    )
    assert p_abandon == pytest.approx(exact.p_abandon, abs=0.01)
    assert mean_wait == pytest.approx(exact.mean_wait, rel=0.08)
    assert exact.service_level is not None
    assert level == pytest.approx(exact.service_level, abs=0.015)


def test_erlang_a_names_arrival_and_answered_figures_apart() -> None:
    result = erlang.erlang_a(9.0, 10, 240.0, patience=120.0, threshold=20.0)
    # Those who hang up waited, so more arrivals wait than answered customers did ...
    assert result.p_all_busy > result.p_wait_answered
    # ... and the answered figures are what the simulator's p_wait and asa mean.
    assert result.p_wait == result.p_wait_answered
    assert result.asa == result.asa_answered
    assert result.asa_answered != result.mean_wait


@settings(max_examples=40, deadline=None)
@example(traffic=1_200.0, ratio=3.0, patience=60.0)  # once gave 1 + 4e-13 and -4e-13
@example(traffic=1_200.0, ratio=2.5, patience=1_000.0)
@given(
    traffic=st.floats(min_value=0.01, max_value=400.0),
    ratio=st.floats(min_value=0.2, max_value=3.0),
    patience=st.floats(min_value=1.0, max_value=10_000.0),
)
def test_erlang_a_probabilities_stay_inside_zero_and_one(
    traffic: float, ratio: float, patience: float
) -> None:
    agents = max(1, round(traffic / ratio))
    result = erlang.erlang_a(traffic, agents, 240.0, patience=patience, threshold=20.0)
    for value in (
        result.p_all_busy,
        result.p_wait_answered,
        result.p_abandon,
        result.service_level,
        result.occupancy,
    ):
        assert value is not None
        assert 0.0 <= value <= 1.0
    assert result.mean_wait >= 0.0
    assert result.asa_answered >= 0.0


def test_erlang_a_staffing_search() -> None:
    needed = erlang.agents_for_service_level_a(8.0, 240.0, 20.0, 0.8, patience=120.0)
    level = erlang.erlang_a(8.0, needed, 240.0, 120.0, 20.0).service_level
    fewer = erlang.erlang_a(8.0, needed - 1, 240.0, 120.0, 20.0).service_level
    assert level is not None
    assert fewer is not None
    assert level >= 0.8 > fewer
