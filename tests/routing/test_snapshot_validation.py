"""Router.restore checks a snapshot in full before it builds anything.

A bad snapshot raises ``om.ValidationError`` naming the path; a snapshot that restores
gives a router that works. Thousands of mutated snapshots are fed to ``restore``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routing_helpers import Clock, agent, staffed, work

import omnirouter as om


def busy_snapshot() -> dict[str, Any]:
    """A snapshot with something in every part: offers and assignments, paused and
    pinned work, wrap-ups, a split, timers, finished work and a memory bound."""
    clock = Clock()
    router = om.Router(
        clock=clock,
        offer_timeout=30,
        keep_finished=4,
        selection="round_robin",
        queues=[
            om.Queue(
                "billing",
                accepts='reason == "billing"',
                steps=[om.Step("skills.billing >= 3", timeout=20), om.Step()],
                overflow=om.Overflow("general", after=600),
            ),
            om.Queue("general"),
        ],
    )
    staffed(
        router,
        [
            agent("a", skills={"billing": 4}, capacity={"voice": 1, "chat": 2, "email": 2}),
            agent("b", capacity={"chat": 1, "email": 2}),
            agent("c", capacity={"voice": 1}),
        ],
    )
    router.set_presence("c", "away")
    router.submit(work("e1", "email", reason="billing"))
    router.accept("e1")
    router.pause("e1")
    router.submit(work("v1", "voice", customer_id="k1"))
    router.accept("v1")
    router.submit(work("c1", "chat"))
    router.submit(work("c2", "chat"))
    router.submit(work("e2", "email"))
    router.accept("e2")
    router.complete("e2", wrap_up=60)
    router.submit(work("e3", "email"))
    router.split("e3", [work("p1", "email"), work("p2", "voice")])
    router.submit(work("v2", "voice", reason="billing"))
    router.transfer("v2", agent="c")
    for n in range(6):
        router.submit(work(f"x{n}", "chat"))
        router.cancel(f"x{n}")
    clock.advance(5)
    router.tick()
    return json.loads(json.dumps(router.snapshot()))


BASE = busy_snapshot()


def restore(data: Any) -> om.Router:
    return om.Router.restore(data, clock=Clock(5_000.0))


def test_the_base_snapshot_restores() -> None:
    assert restore(copy.deepcopy(BASE)).snapshot() == BASE
    assert {w["state"] for w in BASE["work"]} >= {
        "queued",
        "offered",
        "paused",
        "waiting_for_children",
    }


def _agent(data: dict[str, Any], agent_id: str) -> dict[str, Any]:
    return next(a for a in data["agents"] if a["agent"]["id"] == agent_id)


def _work(data: dict[str, Any], work_id: str) -> dict[str, Any]:
    return next(w for w in data["work"] if w["interaction"]["id"] == work_id)


def _over_capacity(data: dict[str, Any]) -> str:
    _agent(data, "c")["items"] = {f"ghost{n}": "chat" for n in range(10)}
    return "agents.2"


def _held_by_nobody(data: dict[str, Any]) -> str:
    _work(data, "v1")["agent"] = "nobody"
    return "work"


def _on_the_moon(data: dict[str, Any]) -> str:
    _agent(data, "a")["presence"] = "on the moon"
    return "agents.0.presence"


def _nan_idle(data: dict[str, Any]) -> str:
    _agent(data, "b")["idle_since"] = math.nan
    return "agents.1.idle_since"


def _duplicate_work(data: dict[str, Any]) -> str:
    data["work"].append(copy.deepcopy(data["work"][0]))
    return "work"


def _duplicate_agent(data: dict[str, Any]) -> str:
    data["agents"].append(copy.deepcopy(data["agents"][0]))
    return "agents"


def _unknown_queue(data: dict[str, Any]) -> str:
    _work(data, "c2")["queue"] = "nowhere"
    return "queue"


def _bad_step(data: dict[str, Any]) -> str:
    _work(data, "c2")["step"] = 7
    return "step"


def _infinite_now(data: dict[str, Any]) -> str:
    data["now"] = math.inf
    return "now"


def _bad_keep(data: dict[str, Any]) -> str:
    data["keep_finished"] = -1
    return "keep_finished"


def _finished_state(data: dict[str, Any]) -> str:
    data["finished"]["x0"] = "queued"
    return "finished.x0"


def _timer_kind(data: dict[str, Any]) -> str:
    data["timers"][0][2] = "alarm"
    return "timers.0.2"


def _list_token(data: dict[str, Any]) -> str:
    # A wrap-up timer's token is looked up among the agent's wrap-ups: a list would not
    # hash (found by the mutation test below).
    n = next(n for n, timer in enumerate(data["timers"]) if timer[2] == "wrap")
    data["timers"][n][4] = ["e2"]
    return f"timers.{n}.4"


def _huge_counter(data: dict[str, Any]) -> str:
    # Counters are 64-bit in the compiled core (found by the mutation test below).
    data["timer_seq"] = 2**63
    return "timer_seq"


def _orphan_part(data: dict[str, Any]) -> str:
    _work(data, "p1")["parent"] = "c1"
    return "parent"


@pytest.mark.parametrize(
    "damage",
    [
        _over_capacity,
        _held_by_nobody,
        _on_the_moon,
        _nan_idle,
        _duplicate_work,
        _duplicate_agent,
        _unknown_queue,
        _bad_step,
        _infinite_now,
        _bad_keep,
        _finished_state,
        _timer_kind,
        _list_token,
        _huge_counter,
        _orphan_part,
    ],
)
def test_a_damaged_snapshot_is_refused_naming_the_place(damage: Any) -> None:
    data = copy.deepcopy(BASE)
    where = damage(data)
    with pytest.raises(om.ValidationError) as caught:
        restore(data)
    assert any(where in field for field in caught.value.fields), caught.value


def test_a_format_1_snapshot_without_the_memory_bound_still_restores() -> None:
    data = copy.deepcopy(BASE)
    data["format"] = 1
    del data["keep_finished"], data["forgettable"]
    router = restore(data)
    assert router.snapshot()["keep_finished"] is None


# ---------------------------------------------------------------- mutated snapshots


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(BASE)[1:]
IDS = sorted({w["interaction"]["id"] for w in BASE["work"]} | {"a", "b", "c", "nobody"})

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(min_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(IDS),
    st.sampled_from(["available", "on the moon", "queued", "completed", "voice", "fax"]),
    st.just([]),
    st.just({}),
    st.lists(st.sampled_from(IDS), max_size=3),
    st.dictionaries(st.sampled_from(IDS), st.sampled_from(["voice", "chat", "email"]), max_size=3),
)

mutation = st.tuples(st.sampled_from(PATHS), st.sampled_from(["replace", "delete", "copy"]), junk)


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> None:
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if how == "replace":
        parent[key] = value
    elif how == "delete":
        del parent[key]
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    else:
        parent[key] = copy.deepcopy(parent[key])


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_restore_gives_a_working_router_or_a_validation_error(
    mutations: list[tuple[tuple[Any, ...], str, Any]],
) -> None:
    data = copy.deepcopy(BASE)
    for path, how, value in mutations:
        # An earlier mutation may have removed or replaced what this path leads through.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _mutate(data, path, how, value)
    try:
        router = restore(data)
    except om.ValidationError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert refused.fields  # it names where
        return
    # Accepted: the router must work and describe itself consistently.
    saved = router.snapshot()
    again = restore(json.loads(json.dumps(saved)))
    assert again.snapshot() == saved
    for status in (router.agent_status(a.id) for a in router.agents):
        assert status.occupancy <= 1.0 + 1e-9
    router.tick(now=6_000.0)
    # A saved router may legally hold queues that accept nothing (``accepts = "0"``):
    # then new work is refused with the typed error, and nothing changes.
    with contextlib.suppress(om.NoQueueError):
        router.submit(work("fresh", "chat"))
    router.tick(now=90_000.0)
