"""Streamed statistics agree with the batch formulas."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.simulation import Histogram, RunningStats, confidence_interval

_values = st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=200)


@settings(max_examples=80, deadline=None)
@given(_values)
def test_running_stats_match_the_batch_formulas(values: list[float]) -> None:
    stats = RunningStats()
    for value in values:
        stats.add(value)
    assert stats.count == len(values)
    assert stats.mean == pytest.approx(statistics.fmean(values), abs=1e-6)
    assert stats.variance == pytest.approx(statistics.variance(values), rel=1e-6, abs=1e-3)
    assert stats.minimum == min(values)
    assert stats.maximum == max(values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 99.0), min_size=1, max_size=300), st.floats(0.05, 0.95))
def test_histogram_quantile_is_within_one_bin(values: list[float], share: float) -> None:
    histogram = Histogram(width=1.0, bins=100)
    for value in values:
        histogram.add(value)
    estimate = histogram.quantile(share)
    ordered = sorted(values)
    rank = share * len(values)
    # The true quantile lies between the order statistics around that rank.
    low = ordered[max(0, math.ceil(rank) - 1)]
    assert low - 1.0 <= estimate <= low + 1.0 + 1e-9


def test_histogram_overflow_and_merge() -> None:
    first, second = Histogram(10.0, 3), Histogram(10.0, 3)
    for value in (-5.0, 5.0, 15.0, 29.9, 30.0, 500.0):
        first.add(value)
    second.add(25.0)
    first.merge(second)
    assert first.counts == [2, 1, 2]
    assert first.overflow == 2
    assert first.total == 7
    assert first.quantile(1.0) == math.inf
    with pytest.raises(ValueError, match="same width"):
        first.merge(Histogram(5.0, 3))


def test_confidence_interval_uses_student_t() -> None:
    estimate = confidence_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    # mean 3, s = 1.5811, t(4) = 2.776: half width = 2.776 · 1.5811 / √5
    assert estimate.mean == 3.0
    assert estimate.half_width == pytest.approx(2.776 * statistics.stdev([1, 2, 3, 4, 5]) / 5**0.5)
    assert estimate.contains(1.1)
    assert not estimate.contains(1.0)
    assert estimate.contains(1.0, slack=0.1)
    assert estimate.to_json()["replications"] == 5


def test_confidence_interval_edge_cases() -> None:
    single = confidence_interval([4.0])
    assert single.mean == 4.0
    assert math.isnan(single.half_width)
    assert single.to_json()["half_width"] is None
    assert confidence_interval([math.nan, 2.0, 4.0]).replications == 2
    assert confidence_interval([]).replications == 0


def test_large_sample_interval_approaches_the_normal_quantile() -> None:
    values = [float(index % 7) for index in range(400)]
    estimate = confidence_interval(values)
    normal = 1.959964 * statistics.stdev(values) / 20.0
    assert estimate.half_width == pytest.approx(normal, rel=0.01)
    assert estimate.half_width > normal
