"""The event kernel: order, ties, and driving a router's timers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.simulation import EventKernel


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 2)), max_size=50))
def test_events_run_in_time_priority_then_insertion_order(
    plan: list[tuple[int, int]],
) -> None:
    kernel = EventKernel()
    seen: list[tuple[int, int, int]] = []
    for index, (at, priority) in enumerate(plan):
        kernel.schedule(float(at), seen.append, (at, priority, index), priority=priority)
    kernel.run(until=100.0)
    assert seen == sorted(seen)
    assert len(seen) == len(plan)
    assert kernel.now == 100.0


def test_events_at_or_after_until_wait_for_the_next_run() -> None:
    kernel = EventKernel(start=10.0)
    seen: list[str] = []
    kernel.schedule(20.0, seen.append, "later")
    kernel.run(until=20.0)
    assert seen == []
    assert len(kernel) == 1
    assert kernel.next_time() == 20.0
    kernel.run(until=21.0)
    assert seen == ["later"]


def test_handlers_may_schedule_more_events() -> None:
    kernel = EventKernel()
    seen: list[float] = []

    def again(count: int) -> None:
        seen.append(kernel.now)
        if count:
            kernel.schedule(kernel.now + 1.5, again, count - 1)

    kernel.schedule(0.0, again, 3)
    kernel.run(until=50.0)
    assert seen == [0.0, 1.5, 3.0, 4.5]


def test_scheduling_into_the_past_is_refused() -> None:
    kernel = EventKernel(start=5.0)
    with pytest.raises(ValueError, match="before the clock"):
        kernel.schedule(4.0, print)


class _Timers:
    """A stand-in for a router's timer API: a sorted list of due times."""

    def __init__(self, due: list[float]) -> None:
        self.due = sorted(due)
        self.fired: list[float] = []

    def next_wakeup(self) -> float | None:
        return self.due[0] if self.due else None

    def tick(self, now: float) -> None:
        while self.due and self.due[0] <= now:
            self.fired.append(now)
            self.due.pop(0)


def test_router_timers_fire_at_their_own_time_before_later_events() -> None:
    kernel = EventKernel()
    timers = _Timers([2.0, 5.0, 30.0])
    seen: list[tuple[str, float]] = []
    kernel.schedule(3.0, lambda _: seen.append(("event", kernel.now)))
    kernel.schedule(5.0, lambda _: seen.append(("event", kernel.now)))
    kernel.run(until=10.0, next_wakeup=timers.next_wakeup, tick=timers.tick)
    # The timer due at 5.0 fires before the event at 5.0; the one at 30 waits.
    assert timers.fired == [2.0, 5.0]
    assert seen == [("event", 3.0), ("event", 5.0)]
    assert timers.due == [30.0]
    assert kernel.clock() == 10.0
