"""Replications in parallel: the same report whatever runs them and in whatever order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.errors import ValidationError
from omnirouter.simulation import Scenario, compare, simulate
from omnirouter.simulation._parallel import run_ordered

SMALL = """
name = "small"
horizon_hours = 2
replications = 4
seed = 9

[[teams]]
name = "desk"
size = 3
capacity = { per_channel = { voice = 1, email = 2 }, total = 2 }

[[workload]]
channel = "voice"
rate_per_hour = 50
handle_time = { distribution = "lognormal", mean_seconds = 180, sd_seconds = 90 }
patience = { distribution = "exponential", mean_seconds = 120 }
callback_share = 0.5
callback_delay = 300

[[workload]]
channel = "email"
rate_per_hour = 20
handle_time = { distribution = "gamma", mean_seconds = 300, sd_seconds = 150 }
"""


class PermutingExecutor(Executor):
    """Holds every job until ``expected`` are in, then finishes them in ``order``."""

    def __init__(self, order: list[int]) -> None:
        self.order = order
        self.pending: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self.finished: list[int] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.pending.append((future, fn, args))
        if len(self.pending) == len(self.order):
            for index in self.order:
                done, function, arguments = self.pending[index]
                done.set_result(function(*arguments))
                self.finished.append(index)
        return future


def _square(value: int) -> int:
    return value * value


@given(st.permutations(list(range(7))))
@settings(max_examples=40, deadline=None)
def test_results_keep_job_order_whatever_order_jobs_finish(order: list[int]) -> None:
    executor = PermutingExecutor(order)
    told: list[tuple[int, int]] = []
    results = run_ordered(
        _square, [(value,) for value in range(7)], executor, lambda d, t: told.append((d, t))
    )
    assert results == [value * value for value in range(7)]
    assert executor.finished == order
    assert told == [(done, 7) for done in range(1, 8)]


class ReversingExecutor(Executor):
    """Runs the jobs on a thread, last submitted first, once submissions pause."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self.lock:
            self.jobs.append((future, fn, args))
            if self.thread is None:
                self.thread = threading.Thread(target=self._work)
                self.thread.start()
        return future

    def _work(self) -> None:
        threading.Event().wait(0.2)
        while True:
            with self.lock:
                if not self.jobs:
                    self.thread = None
                    return
                future, fn, args = self.jobs.pop()
            future.set_result(fn(*args))


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.from_toml(SMALL)


@pytest.fixture(scope="module")
def sequential(scenario: Scenario) -> Any:
    return simulate(scenario)


def test_simulate_is_bit_identical_in_threads_processes_and_reverse(
    scenario: Scenario, sequential: Any
) -> None:
    expected = repr(sequential)
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert repr(simulate(scenario, executor=pool)) == expected
    assert repr(simulate(scenario, workers=2)) == expected
    assert repr(simulate(scenario, executor=ReversingExecutor())) == expected
    assert repr(simulate(scenario, workers=1)) == expected


def test_compare_in_parallel_matches_sequential(scenario: Scenario) -> None:
    variant = scenario.with_changes(name="bigger")
    expected = [repr(report) for report in compare([scenario, variant], replications=2)]
    told: list[int] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = compare(
            [scenario, variant],
            replications=2,
            executor=pool,
            progress=lambda done, total: told.append(total),
        )
    assert [repr(report) for report in reports] == expected
    assert told == [4, 4, 4, 4]


def test_bad_worker_counts_are_refused(scenario: Scenario) -> None:
    with pytest.raises(ValidationError) as caught:
        simulate(scenario, workers=0)
    assert caught.value.fields == ["workers"]
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(ValidationError):
        simulate(scenario, workers=2, executor=pool)
