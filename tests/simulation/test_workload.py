"""Arrival processes, random streams and distributions."""

from __future__ import annotations

import random
import statistics
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

import omnirouter as om
from omnirouter.simulation import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    RandomStreams,
    RateSegment,
    day_curve_segments,
    poisson_arrivals,
    replayed_arrivals,
)

START = datetime(2024, 3, 4, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # a Monday


def test_streams_are_reproducible_and_independent() -> None:
    streams = RandomStreams(42)
    first = [streams.stream("arrivals", 0).random() for _ in range(2)]
    assert first[0] == first[1]
    assert streams.stream("arrivals", 0).random() != streams.stream("handle", 0).random()
    assert streams.stream("arrivals", 0).random() != RandomStreams(43).stream("arrivals").random()
    with pytest.raises(TypeError):
        RandomStreams("7")  # type: ignore[arg-type]


def test_poisson_counts_follow_the_piecewise_rates() -> None:
    segments = [RateSegment(0.0, 3600.0, 0.5), RateSegment(3600.0, 7200.0, 0.05)]
    times = list(poisson_arrivals(segments, random.Random(1)))
    first = sum(1 for t in times if t < 3600)
    second = len(times) - first
    assert times == sorted(times)
    assert all(0 <= t < 7200 for t in times)
    # Poisson counts: mean 1800 and 180, sd about 42 and 13.
    assert abs(first - 1800) < 5 * 42
    assert abs(second - 180) < 5 * 13.5


def test_day_curve_respects_clock_times_and_weekdays() -> None:
    # Three days from Monday 08:00; the curve runs 09:00-11:00 on Mon and Wed only.
    segments = day_curve_segments(
        START,
        3 * 86400.0,
        [60.0, 120.0],
        curve_start=time(9, 0),
        weekdays=["mon", "wed"],
    )
    assert [(s.start, s.end) for s in segments] == [
        (3600.0, 7200.0),
        (7200.0, 10800.0),
        (2 * 86400 + 3600.0, 2 * 86400 + 7200.0),
        (2 * 86400 + 7200.0, 2 * 86400 + 10800.0),
    ]
    assert segments[0].rate == pytest.approx(60 / 3600)
    assert segments[1].rate == pytest.approx(120 / 3600)


def test_day_curve_clips_at_the_start_and_horizon() -> None:
    segments = day_curve_segments(START, 1800.0, [10.0] * 24, interval_minutes=60)
    assert [(s.start, s.end) for s in segments] == [(0.0, 1800.0)]


def test_replayed_arrivals(tmp_path: Path) -> None:
    log = tmp_path / "arrivals.csv"
    log.write_text(
        "at,handle_seconds,patience_seconds\n"
        "2024-03-04T07:59:00+01:00,10,\n"
        "5,120,30\n"
        "2024-03-04T09:00:00+01:00,,\n"
        "99999,1,1\n",
        encoding="utf-8",
    )
    rows = list(replayed_arrivals(log, START, 7200.0))
    assert [(r.at, r.handle_seconds, r.patience_seconds) for r in rows] == [
        (5.0, 120.0, 30.0),
        (3600.0, None, None),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("when\n1\n", "'at' column"),
        ("at\n10\n5\n", "earlier than the row before"),
        ("at\nyesterday\n", "neither seconds nor an ISO"),
        ("at\n2024-03-04T09:00:00\n", "no time zone"),
        ("at,handle_seconds\n1,-3\n", "must be from 0 to"),
        ("at\nnan\n", "finite number of seconds"),
    ],
)
def test_bad_arrival_logs_are_refused(tmp_path: Path, content: str, message: str) -> None:
    log = tmp_path / "log.csv"
    log.write_text(content, encoding="utf-8")
    with pytest.raises(om.ValidationError, match=message):
        list(replayed_arrivals(log, START, 7200.0))


@pytest.mark.parametrize(
    "distribution",
    [
        Exponential(mean_seconds=300),
        LogNormal(mean_seconds=300, sd_seconds=150),
        Gamma(mean_seconds=300, sd_seconds=100),
        Constant(seconds=300),
        Empirical(values=[100, 300, 500]),
    ],
)
def test_distributions_have_the_mean_they_promise(distribution: Exponential) -> None:
    sample = distribution.sampler()
    rng = random.Random(5)
    draws = [sample(rng) for _ in range(20_000)]
    assert statistics.fmean(draws) == pytest.approx(300, rel=0.03)
    assert distribution.mean == pytest.approx(300)


def test_lognormal_and_gamma_have_the_spread_they_promise() -> None:
    rng = random.Random(9)
    for model in (
        LogNormal(mean_seconds=300, sd_seconds=150),
        Gamma(mean_seconds=300, sd_seconds=150),
    ):
        sample = model.sampler()
        draws = [sample(rng) for _ in range(40_000)]
        assert statistics.stdev(draws) == pytest.approx(150, rel=0.06)


def test_empirical_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "aht.csv").write_text("seconds\n10\n20\n", encoding="utf-8")
    sample = Empirical(file=Path("aht.csv")).sampler(tmp_path)
    assert {sample(random.Random(seed)) for seed in range(30)} == {10.0, 20.0}
    (tmp_path / "bad.csv").write_text("10\nlots\n", encoding="utf-8")
    with pytest.raises(om.ValidationError, match=r"file\.2: the first cell is not a number") as bad:
        Empirical(file=Path("bad.csv")).sampler(tmp_path)
    assert "lots" not in str(bad.value)  # the file's content is never repeated
    with pytest.raises(om.ValidationError, match="either 'values'"):
        Empirical()
    with pytest.raises(om.ValidationError, match="greater than 0"):
        Exponential(mean_seconds=0)


@pytest.mark.parametrize(
    "distribution",
    [
        Exponential(mean_seconds=300),
        LogNormal(mean_seconds=300, sd_seconds=150),
        Gamma(mean_seconds=300, sd_seconds=100),
        Constant(seconds=300),
        Empirical(values=[100, 300, 500]),
    ],
)
def test_a_bound_draw_gives_the_samplers_values_on_the_same_stream(
    distribution: Exponential,
) -> None:
    sample = distribution.sampler()
    by_sampler = random.Random(11)
    draw = distribution.bind(random.Random(11))
    assert [draw() for _ in range(500)] == [sample(by_sampler) for _ in range(500)]


def test_a_bound_empirical_draw_reads_its_file_once(tmp_path: Path) -> None:
    (tmp_path / "aht.csv").write_text("seconds\n10\n20\n", encoding="utf-8")
    draw = Empirical(file=Path("aht.csv")).bind(random.Random(3), tmp_path)
    (tmp_path / "aht.csv").unlink()
    assert {draw() for _ in range(60)} == {10.0, 20.0}


def test_poisson_arrivals_from_an_origin_are_the_same_gaps_moved_by_it() -> None:
    segments = [RateSegment(0.0, 600.0, 0.2), RateSegment(600.0, 900.0, 0.02)]
    origin = START.timestamp()
    plain = list(poisson_arrivals(segments, random.Random(4)))
    moved = list(poisson_arrivals(segments, random.Random(4), origin=origin))
    assert len(plain) > 50
    assert moved == [origin + offset for offset in plain]
    # The inline exponential is random.expovariate's: the same stream, the same gaps.
    rng = random.Random(4)
    now, expected = 0.0, []
    while (now := now + rng.expovariate(0.2)) < 600.0:
        expected.append(now)
    assert plain[: len(expected)] == expected
