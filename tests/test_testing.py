"""omnirouter.testing: the manual clock and the event recorder."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnirouter as om
from omnirouter import testing
from omnirouter.testing import EventRecorder, ManualClock


def test_the_module_examples_run() -> None:
    failures, tried = doctest.testmod(testing)
    assert tried > 0
    assert failures == 0


def test_clock_stands_still_until_moved() -> None:
    clock = ManualClock(start=50)
    assert clock() == clock.now == 50.0
    assert isinstance(clock(), float)
    assert clock.advance(10) == 60.0
    assert clock.set(75.5) == 75.5
    assert clock() == 75.5
    assert repr(clock) == "ManualClock(now=75.5)"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.advance(-1), "seconds"),
        (lambda c: c.advance(math.nan), "seconds"),
        (lambda c: c.advance("5"), "seconds"),
        (lambda c: c.advance(True), "seconds"),
        (lambda c: c.set(99), "at"),
        (lambda c: c.set(math.inf), "at"),
    ],
)
def test_bad_moves_are_refused_and_change_nothing(call: object, field: str) -> None:
    clock = ManualClock(start=100)
    with pytest.raises(om.ValidationError) as caught:
        call(clock)  # type: ignore[operator]
    assert caught.value.fields == [field]
    assert clock() == 100.0


def test_bad_start_is_refused() -> None:
    with pytest.raises(om.ValidationError, match="start"):
        ManualClock(start=math.inf)


@given(st.lists(st.floats(min_value=0, max_value=1e6), max_size=30))
def test_time_never_goes_back(steps: list[float]) -> None:
    clock = ManualClock()
    seen = [clock()]
    for step in steps:
        seen.append(clock.advance(step))
    assert seen == sorted(seen)
    assert clock() == pytest.approx(sum(steps))


def test_recorder_follows_a_router_through_an_offer_timeout() -> None:
    clock = ManualClock(start=1_000)
    router = om.Router(clock=clock, offer_timeout=30)
    router.add_agent(om.Agent(id="ana", capacity={"voice": 1}))
    router.add_agent(om.Agent(id="ben", capacity={"voice": 1}))
    router.set_presence("ana", "available")
    events = EventRecorder()
    router.subscribe(events)

    router.submit(om.Interaction(id="call-1", channel="voice"))
    offered = events.last("offered")
    assert offered is not None
    assert offered.agent_id == "ana"
    router.set_presence("ben", "available")

    clock.advance(31)
    router.tick()
    assert events.kinds("call-1") == ["queued", "offered", "offer_timeout", "requeued", "offered"]
    again = events.last()
    assert again is not None
    assert (again.kind, again.agent_id, again.at) == ("offered", "ben", 1_031.0)
    router.accept("call-1")
    assert events.assignments() == {"call-1": "ben"}
    assert [e.kind for e in events.of("offered")] == ["offered", "offered"]
    assert events.kinds()[-1] == "assigned"
    assert len(events) == len(list(events)) == len(events.kinds())


def test_recorder_clear_and_empty_answers() -> None:
    events = EventRecorder()
    assert events.last() is None
    assert events.assignments() == {}
    events(om.Event("queued", 1.0, "i-1"))
    events(om.Event("assigned", 2.0, "i-1", "ana"))
    assert events.kinds("i-2") == []
    assert events.last("queued") == om.Event("queued", 1.0, "i-1")
    events.clear()
    assert len(events) == 0
    assert events.kinds() == []
