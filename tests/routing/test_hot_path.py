"""The router's fast paths behave exactly like its general path.

The common call (outermost, no timer due, no command listener, commit hook or blending)
runs through a shortcut in ``Router._run``; events are delivered through a per-kind
table of callbacks; ``keep_finished`` bounds what the router remembers of finished work.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routing_helpers import Clock, Recorder, agent, staffed, work

import omnirouter as om

# ---------------------------------------------------------------- fast path = general path

operation = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(["voice", "chat", "email"])),
    st.tuples(st.just("complete"), st.integers(0, 12), st.sampled_from([0.0, 0.0, 5.0])),
    st.tuples(st.just("abandon"), st.integers(0, 12)),
    st.tuples(st.just("accept"), st.integers(0, 12)),
    st.tuples(st.just("decline"), st.integers(0, 12)),
    st.tuples(st.just("presence"), st.integers(0, 3), st.sampled_from(["available", "away"])),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 3.0, 20.0])),
)


def _drive(ops: list[tuple[Any, ...]], offers: bool, listen: bool) -> tuple[list[Any], Any]:
    clock = Clock()
    router = om.Router(
        queues=[
            om.Queue("sales", accepts='channel == "chat"', steps=[om.Step("skills.sales >= 1")]),
            om.Queue(
                "service",
                steps=[om.Step("skills.service >= 2", timeout=10), om.Step("true")],
            ),
        ],
        clock=clock,
        offer_timeout=15 if offers else None,
    )
    calls: list[tuple[str, dict[str, Any], float]] = []
    if listen:  # any command listener sends every call down the general path
        router.add_command_listener(lambda name, args, at: calls.append((name, args, at)))
    outcomes: list[Any] = []
    delivered: list[tuple[int, dict[str, Any]]] = []
    # Which call delivered each event: events must come out before their call returns.
    router.subscribe(lambda event: delivered.append((len(outcomes), event.to_json())))
    staffed(
        router,
        [
            agent("a0", skills={"sales": 1}),
            agent("a1", skills={"service": 3}),
            agent("a2", skills={"service": 1, "sales": 2}),
            agent("a3", capacity={"voice": 1}),
        ],
    )
    submitted = 0
    for op in ops:
        name = op[0]
        try:
            if name == "submit":
                router.submit(work(f"i{submitted}", op[1]))
                submitted += 1
                outcomes.append("ok")
            elif name == "complete":
                router.complete(f"i{op[1]}", wrap_up=op[2])
                outcomes.append("ok")
            elif name == "abandon":
                router.abandon(f"i{op[1]}")
                outcomes.append("ok")
            elif name == "accept":
                router.accept(f"i{op[1]}")
                outcomes.append("ok")
            elif name == "decline":
                router.decline(f"i{op[1]}")
                outcomes.append("ok")
            elif name == "presence":
                router.set_presence(f"a{op[1]}", op[2])
                outcomes.append("ok")
            else:
                clock.advance(op[1])
        except om.OmnirouterError as error:
            outcomes.append(type(error).__name__)
    router.tick()
    return [outcomes, delivered], router.snapshot()


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(operation, max_size=60), offers=st.booleans())
def test_the_shortcut_changes_nothing_a_listener_could_see(
    ops: list[tuple[Any, ...]], offers: bool
) -> None:
    fast, fast_state = _drive(ops, offers, listen=False)
    slow, slow_state = _drive(ops, offers, listen=True)
    assert fast == slow
    assert fast_state == slow_state


def test_a_refused_call_on_the_shortcut_leaves_the_time_unchanged(clock: Clock) -> None:
    router = om.Router(clock=clock)
    router.tick()
    before = router.snapshot()["now"]
    clock.advance(60)
    with pytest.raises(om.UnknownInteractionError):
        router.complete("nobody")
    assert router.snapshot()["now"] == before


# ---------------------------------------------------------------- delivery


def test_every_subscriber_sees_events_in_subscription_order(clock: Clock) -> None:
    router = staffed(om.Router(clock=clock), [agent("a")])
    seen: list[tuple[str, str]] = []
    router.subscribe(lambda e: seen.append(("all-1", e.kind)))
    router.subscribe(lambda e: seen.append(("assigned", e.kind)), kinds=["assigned"])
    router.subscribe(lambda e: seen.append(("all-2", e.kind)))
    router.subscribe(lambda e: seen.append(("completed", e.kind)), kinds={"completed"})
    router.submit(work("i1"))
    router.complete("i1")
    assert seen == [
        ("all-1", "queued"),
        ("all-2", "queued"),
        ("all-1", "assigned"),
        ("assigned", "assigned"),
        ("all-2", "assigned"),
        ("all-1", "completed"),
        ("all-2", "completed"),
        ("completed", "completed"),
    ]


def test_subscribing_and_unsubscribing_inside_a_callback_count_from_the_next_event(
    clock: Clock,
) -> None:
    router = staffed(om.Router(clock=clock), [agent("a")])
    late: list[str] = []
    stops: list[Any] = []
    first: list[str] = []

    def subscribe_late(event: om.Event) -> None:
        first.append(event.kind)
        if event.kind == "queued":
            router.subscribe(lambda e: late.append(e.kind))
            stops[0]()  # this callback stops after the queued event

    stops.append(router.subscribe(subscribe_late))
    router.submit(work("i1"))  # queued and assigned are delivered in one flush
    assert first == ["queued"]
    assert late == ["assigned"]


def test_events_are_immutable_records() -> None:
    event = om.Event("assigned", 5.0, "i1", "a1", "q", "voice", {"pulled": True})
    with pytest.raises(AttributeError):
        event.kind = "completed"  # type: ignore[misc]
    assert event.to_json() == {
        "kind": "assigned",
        "at": 5.0,
        "interaction_id": "i1",
        "agent_id": "a1",
        "queue": "q",
        "channel": "voice",
        "detail": {"pulled": True},
    }
    assert om.Event("tick", 1.0).detail == {}


# ---------------------------------------------------------------- keep_finished


def test_keep_finished_remembers_only_the_latest(clock: Clock) -> None:
    router = staffed(om.Router(clock=clock, keep_finished=3), [agent("a")])
    for n in range(10):
        router.submit(work(f"i{n}"))
        router.complete(f"i{n}")
    assert [router.state_of(f"i{n}") for n in (7, 8, 9)] == [om.InteractionState.COMPLETED] * 3
    for n in range(7):
        with pytest.raises(om.UnknownInteractionError):
            router.state_of(f"i{n}")
    router.submit(work("i0"))  # forgotten, so new again
    assert router.state_of("i0") is om.InteractionState.ASSIGNED
    with pytest.raises(om.DuplicateIdError):
        router.submit(work("i9"))


def test_keep_finished_keeps_parts_until_their_parent_ends(clock: Clock) -> None:
    recorder = Recorder()
    router = staffed(
        om.Router(clock=clock, keep_finished=1),
        [agent("a", capacity={"voice": 1, "email": 3}), agent("b")],
    )
    router.subscribe(recorder, kinds=["completed"])
    router.submit(work("mail", "email"))
    router.split("mail", [work("p1", "email"), work("p2", "email"), work("p3", "email")])
    for part in ("p1", "p2"):
        router.complete(part)
        for n in range(3):  # other work ends in between
            router.submit(work(f"{part}-call{n}"))
            router.complete(f"{part}-call{n}")
    router.complete("p3")
    parent = [e for e in recorder.events if e.interaction_id == "mail"]
    ended = {"p1": "completed", "p2": "completed", "p3": "completed"}
    assert parent[0].detail == {"children": ended}
    assert router.state_of("mail") is om.InteractionState.COMPLETED
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("p1")


def test_keep_finished_zero_forgets_at_once(clock: Clock) -> None:
    router = staffed(om.Router(clock=clock, keep_finished=0), [agent("a")])
    router.submit(work("i1"))
    router.complete("i1")
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("i1")


@pytest.mark.parametrize("bad", [-1, 1.5, True, "10"])
def test_keep_finished_must_be_a_count(bad: Any) -> None:
    with pytest.raises(om.ValidationError, match="keep_finished"):
        om.Router(keep_finished=bad)


# ---------------------------------------------------------------- the free-agent index

pool_step = st.one_of(
    st.tuples(st.just("free"), st.integers(0, 7), st.integers(0, 30)),
    st.tuples(st.just("take"), st.frozensets(st.integers(0, 7), max_size=3)),
    st.tuples(st.just("away"), st.integers(0, 7)),
)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(pool_step, max_size=60), by_idle=st.booleans())
def test_the_free_agent_index_always_finds_the_smallest_key(
    steps: list[tuple[Any, ...]], by_idle: bool
) -> None:
    """Pool.best_free against a scan of all members, with agents freed in any key order
    (older keys land in the heap, newer ones on the deque) and excluded agents."""
    from omnirouter.routing._agents import AgentState, Pool
    from omnirouter.routing.expressions import Expression

    registry = om.ChannelRegistry()
    pool = Pool(0, Expression("true"), "voice", dynamic=False)
    agents = []
    for n in range(8):
        state = AgentState(agent(f"a{n}", capacity={"voice": 1}), registry, n + 1, 0.0)
        state.present = True
        pool.admit(state, registry)
        agents.append(state)
    bonus = {state.id: 0.0 for state in agents}  # a second policy's key: not monotone

    def key_of(state: AgentState, _: Pool) -> float:
        return state.idle_since + bonus[state.id]

    key = None if by_idle else key_of
    pool.best_free(key, set())  # builds the index
    for step in steps:
        if step[0] == "free":
            state = agents[step[1]]
            if state.load.active:
                state.load.remove("voice")
            state.present = True
            state.idle_since = max(state.idle_since, float(step[2]))  # keys only grow
            if state.id not in pool.in_heap:
                pool.in_heap.add(state.id)
                pool.push((state.idle_since if key is None else key(state, pool), state.seq, state))
        elif step[0] == "away":
            agents[step[1]].present = False
        else:
            excluded = {f"a{n}" for n in step[1]}
            candidates = [
                (state.idle_since if key is None else key(state, pool), state.seq, state.id)
                for state in agents
                if state.present and not state.load.active and state.id not in excluded
            ]
            found = pool.best_free(key, excluded)
            expected = min(candidates)[2] if candidates else None
            assert (found.id if found else None) == expected
            if found is not None:
                found.load.add("voice")


def test_the_event_factory_checks_its_arity() -> None:
    from omnirouter.routing.events import new_event

    event = new_event("assigned", 5.0, "i1", "a1", "q", "voice", {"pulled": True})
    assert event == om.Event("assigned", 5.0, "i1", "a1", "q", "voice", {"pulled": True})
    assert type(event) is om.Event
    with pytest.raises(TypeError):
        new_event("assigned", 5.0, "i1", "a1", "q", "voice")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        new_event("assigned", 5.0, "i1", "a1", "q", "voice", {}, "extra")  # type: ignore[call-arg]
