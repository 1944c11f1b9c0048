"""snapshot → restore → carry on gives what carrying on without the break gives,
memory bound (``keep_finished``) and forget order included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routing_helpers import Clock, agent, staffed

import omnirouter as om

operation = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(["voice", "chat", "email"])),
    st.tuples(st.just("complete"), st.integers(0, 15), st.sampled_from([0.0, 4.0])),
    st.tuples(st.just("abandon"), st.integers(0, 15)),
    st.tuples(st.just("cancel"), st.integers(0, 15)),
    st.tuples(st.just("accept"), st.integers(0, 15)),
    st.tuples(st.just("split"), st.integers(0, 15)),
    st.tuples(st.just("advance"), st.sampled_from([1.0, 20.0])),
)


def _router(clock: Clock, keep: int | None) -> om.Router:
    router = om.Router(clock=clock, keep_finished=keep, offer_timeout=10)
    return staffed(router, [agent("a0"), agent("a1", capacity={"voice": 1, "email": 4})])


def _apply(router: om.Router, clock: Clock, op: tuple[Any, ...], n: int) -> str:
    name = op[0]
    try:
        if name == "submit":
            router.submit(om.Interaction(id=f"i{n}", channel=op[1]))
        elif name == "advance":
            clock.advance(op[1])
        elif name == "complete":
            router.complete(f"i{op[1]}", wrap_up=op[2])
        elif name == "split":
            router.split(f"i{op[1]}", [om.Interaction(id=f"i{op[1]}.{n}", channel="email")])
        else:
            getattr(router, name)(f"i{op[1]}")
    except om.OmnirouterError as error:
        return type(error).__name__
    return "ok"


def _states(router: om.Router, ids: list[str]) -> list[str]:
    found = []
    for interaction_id in ids:
        try:
            found.append(router.state_of(interaction_id).value)
        except om.UnknownInteractionError:
            found.append("forgotten")
    return found


@settings(max_examples=80, deadline=None)
@given(
    before=st.lists(operation, max_size=40),
    after=st.lists(operation, max_size=40),
    keep=st.sampled_from([None, 0, 1, 3]),
)
def test_a_restored_router_carries_on_as_the_original(
    before: list[tuple[Any, ...]], after: list[tuple[Any, ...]], keep: int | None
) -> None:
    clock = Clock()
    original = _router(clock, keep)
    for n, op in enumerate(before):
        _apply(original, clock, op, n)
    data = original.snapshot()
    restored = om.Router.restore(json.loads(json.dumps(data)), clock=clock)
    assert restored.snapshot() == data
    ids = [f"i{n}" for n in range(len(before) + len(after))]
    ids += [f"i{a}.{b}" for a in range(16) for b in range(len(before) + len(after))]
    outcomes: list[tuple[str, str]] = []
    for n, op in enumerate(after, start=len(before)):
        outcomes.append((_apply(original, clock, op, n), _apply(restored, clock, op, n)))
    assert all(a == b for a, b in outcomes), outcomes
    assert restored.snapshot() == original.snapshot()
    assert _states(restored, ids) == _states(original, ids)


@pytest.mark.parametrize("keep", [0, 2, 5])
def test_the_memory_bound_survives_a_restore(clock: Clock, keep: int) -> None:
    router = _router(clock, keep)
    restored = om.Router.restore(json.loads(json.dumps(router.snapshot())), clock=clock)
    for n in range(12):
        restored.submit(om.Interaction(id=f"i{n}", channel="voice"))
        restored.accept(f"i{n}")
        restored.complete(f"i{n}")
    remembered = [n for n in range(12) if _states(restored, [f"i{n}"]) != ["forgotten"]]
    assert remembered == list(range(12 - keep, 12))
