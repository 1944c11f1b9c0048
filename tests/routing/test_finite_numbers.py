"""Non-finite numbers never enter the router; float subclasses are floats.

A NaN or infinite time would stop the clock or leave a timer never due (a NaN idle
time once made ``submit`` spin forever under the router's lock), so every time and
duration is refused with a typed error naming the field, and the router is unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from routing_helpers import Clock, agent, staffed, work

import omnirouter as om

BAD_TIMES = [math.nan, math.inf, -math.inf, "10", None, True, 10**400]
BAD_DURATIONS = [math.nan, math.inf, -1.0, "5", True, 10**400]


class Seconds(float):
    """A float subclass, as numpy.float64 is one."""


@pytest.mark.parametrize("value", BAD_TIMES)
def test_a_clock_giving_no_finite_time_is_refused_and_changes_nothing(value: Any) -> None:
    clock = Clock()
    router = staffed(om.Router(clock=clock), [agent("a")])
    before = router.snapshot()
    clock.now = value
    with pytest.raises(om.ValidationError, match="clock"):
        router.submit(work("i1"))
    with pytest.raises(om.ValidationError, match="clock"):
        router.tick()
    assert router.snapshot() == before
    clock.now = 2_000.0
    router.submit(work("i1"))
    assert router.agent_of("i1") == "a"


@pytest.mark.parametrize("value", [v for v in BAD_TIMES if v is not None])
def test_tick_refuses_a_time_that_is_not_finite(clock: Clock, value: Any) -> None:
    router = staffed(om.Router(clock=clock, offer_timeout=5), [agent("a")])
    router.submit(work("i1"))
    before = router.snapshot()
    with pytest.raises(om.ValidationError, match="now"):
        router.tick(now=value)
    assert router.snapshot() == before


def test_float_subclasses_are_times_and_durations(clock: Clock) -> None:
    router = om.Router(
        clock=lambda: Seconds(clock()),
        offer_timeout=Seconds(5),
        queues=[om.Queue("q", steps=[om.Step("", timeout=Seconds(3)), om.Step()])],
    )
    staffed(router, [agent("a")])
    router.submit(work("i1"))
    router.accept("i1")
    router.complete("i1", wrap_up=Seconds(2.5))
    assert router.agent_status("a").wrapping_up == ("i1",)
    router.tick(now=Seconds(clock.now + 2.5))
    assert router.agent_status("a").wrapping_up == ()
    assert type(router.snapshot()["now"]) is float


def test_numpy_floats_are_accepted(clock: Clock) -> None:
    numpy = pytest.importorskip("numpy")
    router = staffed(om.Router(clock=clock, offer_timeout=numpy.float64(5)), [agent("a")])
    router.submit(work("i1"))
    router.accept("i1")
    router.complete("i1", wrap_up=numpy.float64(1.5))
    router.tick(now=numpy.float64(clock.now + 1.5))
    assert router.agent_status("a").wrapping_up == ()


@pytest.mark.parametrize("value", BAD_DURATIONS)
def test_complete_refuses_a_wrap_up_that_is_not_finite_seconds(clock: Clock, value: Any) -> None:
    router = staffed(om.Router(clock=clock), [agent("a")])
    router.submit(work("i1"))
    before = router.snapshot()
    with pytest.raises(om.ValidationError, match="wrap_up"):
        router.complete("i1", wrap_up=value)
    assert router.snapshot() == before


@pytest.mark.parametrize("value", [*BAD_DURATIONS, 0, 0.0])
def test_durations_of_the_settings_must_be_finite_and_positive(value: Any) -> None:
    with pytest.raises(om.ValidationError, match="timeout"):
        om.Step("true", timeout=value)
    with pytest.raises(om.ValidationError, match="after"):
        om.Overflow("other", after=value)
    with pytest.raises(om.ValidationError, match="offer_timeout"):
        om.Router(offer_timeout=value)


@pytest.mark.parametrize("value", [math.nan, math.inf, "soon"])
def test_a_priority_hook_must_give_finite_seconds(clock: Clock, value: Any) -> None:
    router = om.Router(clock=clock, priority=lambda interaction, now: value)
    before = router.snapshot()
    with pytest.raises(om.ValidationError, match="head_start"):
        router.submit(work("i1"))
    assert router.snapshot() == before
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("i1")


def test_a_service_level_deadline_must_be_finite(clock: Clock) -> None:
    class Never:
        at_risk_fraction = 0.5

        def deadline(self, interaction: Any, traits: Any, submitted_at: float) -> float:
            return math.inf

    router = om.Router(clock=clock, sla=Never())
    before = router.snapshot()
    with pytest.raises(om.ValidationError, match="deadline"):
        router.submit(work("i1"))
    assert router.snapshot() == before
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("i1")
