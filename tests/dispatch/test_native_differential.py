"""The compiled dispatch core against the Python reference: the same operations, the
same answers.

Each component (the capacity rule, the timer heap) is driven with random operation
sequences (hypothesis, plus one seeded run of 100,000 operations per component per
test run) on both implementations side by side; every answer, message and error must
be identical. A router-level comparison lives in ``test_native_router_differential``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.dispatch._implementation import native_module
from omnirouter.dispatch.capacity import CapacityLoad, Profile, PythonLoad
from omnirouter.dispatch.timers import PythonTimerHeap, Timers

native = native_module()

FAMILIES = {
    "voice": "voice",
    "email": "email",
    "chat": "chat",
    "whatsapp": "messenger",
    "messenger": "messenger",
    "video": "video",
}
#: Every channel an operation may name: known ones, a family name and an unknown one.
CHANNELS = (*FAMILIES, "fax")
KEYS = (*FAMILIES, "messenger")
LONG_RUN = 100_000


def family_of(channel: str) -> str | None:
    return FAMILIES.get(channel)


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """What a call gave: its value, or its exception's type and message."""
    try:
        return ("ok", call())
    except Exception as error:  # compared, not swallowed: both must fail alike
        return (type(error).__name__, str(error))


# ---------------------------------------------------------------------------- capacity


def profiles(draw_int: Callable[[int, int], int], pick: Callable[[list[str]], Any]) -> Profile:
    """A random profile from two draw functions (shared by hypothesis and the long run)."""
    per_channel = {key: draw_int(0, 3) for key in pick(list(KEYS))}
    units = {key: draw_int(0, 6) for key in pick(list(KEYS))}
    return Profile(
        per_channel=per_channel,
        total=None if draw_int(0, 2) == 0 else draw_int(0, 4),
        budget=None if draw_int(0, 2) == 0 else draw_int(1, 10),
        units=units,
        exclusive=frozenset(pick(["video", "voice", "messenger"])),
        channels=None if draw_int(0, 2) else frozenset(pick(list(KEYS))),
    )


class Gate:
    """A blending gate as the router's: answers from the load and a rule of its own."""

    def __init__(self, denied: str) -> None:
        self.denied = denied
        self.load: CapacityLoad | None = None

    def allows(self, channel: str) -> bool:
        assert self.load is not None
        return channel != self.denied and self.load.fits(channel)

    def why_not(self, load: CapacityLoad, channel: str) -> str | None:
        if channel == self.denied:
            return f"a rule denies {channel}"
        return load.reason(channel)


OPERATIONS = (
    "allows",
    "fits",
    "can_take",
    "why_not",
    "reason",
    "add",
    "add",
    "remove",
    "occupancy",
    "forget",
    "gate",
)


def apply(load: CapacityLoad, operation: str, channel: str, others: list[str], sign: int) -> Any:
    if operation == "reason":
        return outcome(lambda: load.reason(channel, others, sign))
    if operation == "gate":
        gate = Gate(channel)
        gate.load = load
        load.set_gate(gate)
        return None
    if operation == "occupancy":
        return round(load.occupancy(), 12)
    if operation == "forget":
        return load.forget()
    return outcome(lambda: getattr(load, operation)(channel))


def state(load: CapacityLoad) -> tuple[Any, ...]:
    return (load.active, load.counters(), round(load.occupancy(), 12))


def run_capacity(profile: Profile, steps: list[tuple[str, str, list[str], int]]) -> None:
    reference = PythonLoad(profile, family_of)
    compiled = native.Load(profile, family_of)
    assert compiled.profile is profile
    for step, (operation, channel, others, sign) in enumerate(steps):
        expected = apply(reference, operation, channel, others, sign)
        got = apply(compiled, operation, channel, others, sign)
        assert got == expected, (step, operation, channel, others, sign)
        assert state(compiled) == state(reference), (step, operation, channel)


STEP = st.tuples(
    st.sampled_from(OPERATIONS),
    st.sampled_from(CHANNELS),
    st.lists(st.sampled_from(CHANNELS), max_size=3),
    st.sampled_from((-1, 0, 1)),
)


@st.composite
def profile_strategy(draw: st.DrawFn) -> Profile:
    return profiles(
        lambda low, high: draw(st.integers(low, high)),
        lambda options: draw(st.lists(st.sampled_from(options), unique=True, max_size=4)),
    )


@settings(max_examples=300, deadline=None)
@given(profile=profile_strategy(), steps=st.lists(STEP, max_size=60))
def test_both_capacity_rules_agree_on_random_sequences(
    profile: Profile, steps: list[tuple[str, str, list[str], int]]
) -> None:
    run_capacity(profile, steps)


def test_both_capacity_rules_agree_over_a_long_seeded_run() -> None:
    rng = random.Random(20261202)
    done = 0
    while done < LONG_RUN:
        profile = profiles(
            rng.randint, lambda options: rng.sample(options, rng.randint(0, min(4, len(options))))
        )
        steps = [
            (
                rng.choice(OPERATIONS),
                rng.choice(CHANNELS),
                rng.sample(CHANNELS, rng.randint(0, 2)),
                rng.choice((-1, 0, 1)),
            )
            for _ in range(500)
        ]
        run_capacity(profile, steps)
        done += len(steps)


def test_the_compiled_load_calls_the_gate_without_holding_itself() -> None:
    """The gate reads the load back while it decides (a re-entrant call)."""
    load = native.Load(Profile(per_channel={"chat": 2}), family_of)
    gate = Gate("voice")
    gate.load = load
    load.set_gate(gate)
    assert load.gate is gate
    assert load.can_take("chat")
    assert load.why_not("voice") == "a rule denies voice"
    load.add("chat")
    load.add("chat")
    assert not load.can_take("chat")
    assert load.why_not("chat") == "at capacity on chat (2)"


def test_a_family_lookup_that_fails_reaches_the_caller() -> None:
    def broken(channel: str) -> str | None:
        raise LookupError(channel)

    for load in (PythonLoad(Profile(), broken), native.Load(Profile(), broken)):
        with pytest.raises(LookupError):
            load.fits("voice")


# ---------------------------------------------------------------------------- timers

TIMES = (0.0, 1.0, 1.0, 2.5, 10.0, 1e9)
TIMER_OPERATIONS = ("set", "set", "set", "pop", "next", "json", "reload", "len")


def timer_step(heap: Timers, operation: str, at: float, kind: str, subject: str, token: Any) -> Any:
    if operation == "set":
        return outcome(lambda: heap.set(at, kind, subject, token))
    if operation == "pop":
        return heap.pop_due(at)
    if operation == "next":
        return heap.next_at()
    if operation == "json":
        return heap.to_json()
    if operation == "reload":
        saved = heap.to_json()
        heap.load(saved, heap.seq)
        return saved
    return len(heap)


def run_timers(steps: list[tuple[str, float, str, str, Any]]) -> None:
    reference = PythonTimerHeap()
    compiled = native.TimerHeap()
    for number, step in enumerate(steps):
        expected = timer_step(reference, *step)
        got = timer_step(compiled, *step)
        assert got == expected, (number, step)
        assert compiled.seq == reference.seq


TIMER_STEP = st.tuples(
    st.sampled_from(TIMER_OPERATIONS),
    st.sampled_from((*TIMES, math.nan, math.inf)),
    st.sampled_from(("offer", "step", "wrap")),
    st.sampled_from(("i1", "i2", "a")),
    st.one_of(st.none(), st.integers(0, 3), st.sampled_from(("risk", "breach"))),
)


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(TIMER_STEP, max_size=80))
def test_both_timer_heaps_agree_on_random_sequences(
    steps: list[tuple[str, float, str, str, Any]],
) -> None:
    run_timers(steps)


def test_both_timer_heaps_agree_over_a_long_seeded_run() -> None:
    rng = random.Random(1202)
    steps = [
        (
            rng.choice(TIMER_OPERATIONS[:5] if n % 1000 else TIMER_OPERATIONS),
            rng.choice(TIMES) + rng.choice((0.0, rng.random())),
            rng.choice(("offer", "step")),
            f"i{rng.randint(0, 50)}",
            rng.randint(0, 3),
        )
        for n in range(LONG_RUN)
    ]
    run_timers(steps)


def test_a_due_time_that_is_not_finite_is_refused_by_both() -> None:
    for heap in (PythonTimerHeap(), native.TimerHeap()):
        with pytest.raises(ValueError, match="finite"):
            heap.set(math.nan, "offer", "i1", 0)
        with pytest.raises(ValueError, match="finite"):
            heap.load([[math.inf, 1, "offer", "i1", 0]], 1)
        assert len(heap) == 0
