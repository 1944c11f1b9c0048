"""The results table and intervals: one unit per row, thresholds named, clipped intervals."""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter._cli.simulate import customers_per_day
from omnirouter.simulation import ReplicationResult, Report, confidence_interval, format_comparison


def _replication(number: int, level: float, asa: float, idle: float) -> ReplicationResult:
    return ReplicationResult(
        replication=number,
        customers=100,
        measured_seconds=3600.0,
        interval_seconds=1800.0,
        channels={
            "voice": {"offered": 50.0, "service_level": level, "asa": asa},
            "email": {"offered": 50.0, "service_level": 1.0, "asa": 7200.0 + asa},
        },
        queues={},
        teams={"desk": {"occupancy": 0.5, "break_seconds": idle}},
        agents={},
        waiting={},
        intervals={},
    )


def _report(name: str, levels: list[float], asas: list[float], idle: list[float]) -> Report:
    results = tuple(
        _replication(n, level, asa, pause)
        for n, (level, asa, pause) in enumerate(zip(levels, asas, idle, strict=True))
    )
    return Report(name, 1, results, {"voice": 20.0, "email": 3600.0})


def test_each_row_has_one_unit_and_service_levels_name_their_threshold() -> None:
    fast = _report("fast", [0.99, 1.0, 0.98], [5.0, 6.0, 7.0], [30.0, 30.0, 30.0])
    slow = _report("slow", [0.5, 0.6, 0.7], [400.0, 500.0, 600.0], [7200.0, 7200.0, 7200.0])
    table = format_comparison([fast, slow])
    voice_asa = next(line for line in table.splitlines() if "avg speed of answer (min)" in line)
    # 6 s and 500 s share the row's unit, minutes: 0.1 and 8.3.
    assert "0.1 ± " in voice_asa
    assert "8.3 ± " in voice_asa
    assert not re.search(r"\d (s|min|h)\b", voice_asa)
    assert any("avg speed of answer (h)" in line for line in table.splitlines())  # e-mail
    assert any("break time (h)" in line for line in table.splitlines())
    assert "service level (within 20 s)" in table
    assert "service level (within 1 h)" in table
    # 99 % ± more than 1 point would pass 100 %: shown as its clipped range instead.
    level_row = next(line for line in table.splitlines() if "(within 20 s)" in line)
    assert "99.0% (" in level_row
    assert "–100.0)" in level_row


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=2, max_size=12))
def test_intervals_of_shares_stay_within_zero_and_one(values: list[float]) -> None:
    estimate = confidence_interval(values, floor=0.0, ceiling=1.0)
    assert 0.0 <= estimate.low <= estimate.mean + 1e-12
    assert estimate.mean - 1e-12 <= estimate.high <= 1.0
    if not math.isnan(estimate.half_width):
        assert estimate.high - estimate.low <= 2 * estimate.half_width + 1e-12


def test_an_interval_without_spread_stays_nan() -> None:
    single = confidence_interval([0.5], floor=0.0, ceiling=1.0)
    assert math.isnan(single.low)
    assert math.isnan(single.high)
    assert single.to_json()["low"] is None


def test_customers_per_simulated_day() -> None:
    assert customers_per_day(8_000, 8, 10.0) == 1_000  # a 10 h day: one run's customers
    assert customers_per_day(14_000, 2, 168.0) == 1_000  # a week: a seventh of a run
    assert customers_per_day(0, 0, 10.0) == 0.0
