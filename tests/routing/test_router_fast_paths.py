"""Every shortcut the router takes gives exactly what its general path gives.

The router takes shorter paths when it can: a plain one-step queue places new work
without the step loop, plain work without a customer is assigned without remembering a
sticky agent, completed top-level work nobody listens for is finished without building
an event, and ``keep_finished`` changes how finished work is remembered. Each shortcut
depends on a condition a user controls (the queue's shape, a customer id, which event
kinds are subscribed, ``keep_finished``), so the same operations are run once with the
condition that allows the shortcut and once with one that forces the general path, and
everything a user can observe is compared: each call's outcome, the events of the kinds
subscribed, and the final state.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from routing_helpers import Clock, agent, staffed

import omnirouter as om

KINDS = sorted(om.routing.EVENT_KINDS)

operation = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(["voice", "chat", "email"])),
    st.tuples(st.just("complete"), st.integers(0, 12), st.sampled_from([0.0, 0.0, 5.0])),
    st.tuples(st.just("abandon"), st.integers(0, 12)),
    st.tuples(st.just("cancel"), st.integers(0, 12)),
    st.tuples(st.just("accept"), st.integers(0, 12)),
    st.tuples(st.just("decline"), st.integers(0, 12)),
    st.tuples(st.just("pause"), st.integers(0, 12)),
    st.tuples(st.just("resume"), st.integers(0, 12)),
    st.tuples(st.just("presence"), st.integers(0, 3), st.sampled_from(["available", "away"])),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 3.0, 20.0])),
)


def _queues(shape: str) -> list[om.Queue]:
    """Two queues whose routing is the same whatever ``shape``; only "plain" is simple."""

    def extra(other: str) -> dict[str, Any]:
        if shape == "sticky":
            return {"sticky": True}
        if shape == "overflow":  # never reached: not simple, but routes the same
            return {"overflow": om.Overflow(other, max_waiting=10**9)}
        return {}

    return [
        om.Queue(
            "sales",
            accepts='channel == "chat"',
            steps=[om.Step("skills.sales >= 1")],
            **extra("service"),
        ),
        om.Queue("service", steps=[om.Step("true")], **extra("sales")),
    ]


def _drive(
    ops: list[tuple[Any, ...]],
    *,
    offers: bool,
    kinds: frozenset[str] | None,
    shape: str = "plain",
    customers: bool = False,
    keep: int | None = None,
) -> tuple[list[Any], list[dict[str, Any]], dict[str, Any]]:
    clock = Clock()
    router = om.Router(
        queues=_queues(shape),
        clock=clock,
        offer_timeout=15 if offers else None,
        keep_finished=keep,
    )
    outcomes: list[Any] = []
    events: list[dict[str, Any]] = []
    router.subscribe(lambda event: events.append(event.to_json()), kinds=kinds)
    staffed(
        router,
        [
            agent("a0", skills={"sales": 1}),
            agent("a1"),
            agent("a2", skills={"sales": 2}, capacity={"chat": 2, "email": 2}),
            agent("a3", capacity={"voice": 1}),
        ],
    )
    submitted = 0
    for op in ops:
        name = op[0]
        target = f"i{op[1]}" if name not in ("submit", "presence", "advance") else ""
        try:
            if name == "submit":
                extra = {"customer_id": f"c{submitted}"} if customers else {}
                router.submit(om.Interaction(id=f"i{submitted}", channel=op[1], **extra))
                submitted += 1
            elif name == "complete":
                router.complete(target, wrap_up=op[2])
            elif name == "presence":
                router.set_presence(f"a{op[1]}", op[2])
            elif name == "advance":
                clock.advance(op[1])
                continue
            else:
                getattr(router, name)(target)
            outcomes.append("ok")
        except om.OmnirouterError as error:
            outcomes.append(type(error).__name__)
    router.tick()
    return outcomes, events, router.snapshot()


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    """The state without what the variants differ in by construction: the queues' specs,
    the memory bound, the customers and the sticky agents remembered for them."""
    state = {k: v for k, v in state.items() if k not in ("queues", "keep_finished", "forgettable")}
    state["last_agent"] = {}
    state["work"] = [
        {**w, "interaction": {k: v for k, v in w["interaction"].items() if k != "customer_id"}}
        for w in state["work"]
    ]
    return state


def _only(events: list[dict[str, Any]], kinds: frozenset[str]) -> list[dict[str, Any]]:
    return [e for e in events if e["kind"] in kinds]


kind_sets = st.frozensets(st.sampled_from(KINDS), max_size=6)


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(operation, max_size=60), offers=st.booleans(), kinds=kind_sets)
def test_kind_filtered_subscribers_see_what_a_subscriber_of_everything_sees(
    ops: list[tuple[Any, ...]], offers: bool, kinds: frozenset[str]
) -> None:
    """With only some kinds subscribed the router skips building the others (and
    finishes completed work on its shortcut when nobody listens for ``completed``)."""
    outcomes, filtered, state = _drive(ops, offers=offers, kinds=kinds)
    all_outcomes, everything, all_state = _drive(ops, offers=offers, kinds=None)
    assert outcomes == all_outcomes
    assert filtered == _only(everything, kinds)
    assert state == all_state


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(operation, max_size=60),
    offers=st.booleans(),
    kinds=kind_sets,
    shape=st.sampled_from(["sticky", "overflow"]),
)
def test_a_simple_queue_places_work_as_the_general_step_loop_does(
    ops: list[tuple[Any, ...]], offers: bool, kinds: frozenset[str], shape: str
) -> None:
    """A one-step queue without overflow or stickiness skips the step loop on submit and
    when work is requeued; a sticky queue (no customer: nobody to stick to) and a queue
    with an overflow that never triggers take the general path to the same result."""
    fast = _drive(ops, offers=offers, kinds=kinds)
    general = _drive(ops, offers=offers, kinds=kinds, shape=shape)
    assert fast[0] == general[0]
    assert fast[1] == general[1]
    assert _comparable(fast[2]) == _comparable(general[2])


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(operation, max_size=60), offers=st.booleans(), kinds=kind_sets)
def test_plain_work_is_assigned_as_work_with_a_customer_is(
    ops: list[tuple[Any, ...]], offers: bool, kinds: frozenset[str]
) -> None:
    """Work without a customer is assigned on a shortcut that remembers no sticky agent;
    with a (different) customer each, the general path must do the same otherwise."""
    fast = _drive(ops, offers=offers, kinds=kinds)
    general = _drive(ops, offers=offers, kinds=kinds, customers=True)
    assert fast[0] == general[0]
    assert fast[1] == general[1]
    assert _comparable(fast[2]) == _comparable(general[2])


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(operation, max_size=60), offers=st.booleans(), kinds=kind_sets)
def test_a_memory_bound_never_reached_changes_nothing(
    ops: list[tuple[Any, ...]], offers: bool, kinds: frozenset[str]
) -> None:
    """``keep_finished`` sends every end through the general finish (which keeps the
    forget order); a bound never reached must leave everything else as without one."""
    fast = _drive(ops, offers=offers, kinds=kinds)
    general = _drive(ops, offers=offers, kinds=kinds, keep=10**6)
    assert fast[0] == general[0]
    assert fast[1] == general[1]
    assert _comparable(fast[2]) == _comparable(general[2])
