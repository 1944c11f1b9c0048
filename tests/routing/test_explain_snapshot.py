"""explain(), snapshot/restore, the command path for a journal, thread safety."""

from __future__ import annotations

import json
import threading

import pytest
from routing_helpers import Clock, Recorder, staffed, work

import omnirouter as om

S = om.InteractionState


def test_explain_names_every_reason(clock: Clock) -> None:
    router = om.Router(
        clock=clock,
        offer_timeout=30,
        queues=[om.Queue("q", steps=[om.Step("skills.billing >= 3")])],
    )
    staffed(
        router,
        [
            om.Agent(id="away", skills={"billing": 5}, capacity={"email": 1}),
            om.Agent(id="nomail", skills={"billing": 5}, capacity={"voice": 1}),
            om.Agent(id="weak", skills={"billing": 1}, capacity={"email": 1}),
            om.Agent(id="busy", skills={"billing": 4}, capacity={"email": 1}),
            om.Agent(id="decliner", skills={"billing": 4}, capacity={"email": 1}),
        ],
    )
    router.set_presence("away", "away")
    router.submit(work("first", "email"))
    router.submit(work("second", "email"))
    router.accept("first")
    busy_one = router.agent_of("first")
    declining = router.agent_of("second")
    router.decline("second")
    info = router.explain("second")
    assert info["queue"] == "q"
    assert info["step"] == 0
    assert info["target"] == "skills.billing >= 3"
    reasons = {x["agent_id"]: x["reason"] for x in info["excluded"]}
    assert reasons == {
        "away": "presence",
        "nomail": "channel",
        "weak": "skill",
        busy_one: "capacity",
        declining: "declined",
    }
    weak = next(x for x in info["excluded"] if x["agent_id"] == "weak")
    assert weak["facts"] == {"skills.billing": 1}
    assert info["candidates"] == []
    router.set_presence("away", "available")  # takes it at once
    assert router.agent_of("second") == "away"
    assert router.explain("second")["state"] == "offered"


def test_explain_candidates_with_scores(clock: Clock) -> None:
    router = om.Router(clock=clock, queues=[om.Queue("q", steps=[om.Step("skills.x >= 9")])])
    router.submit(work("w"))
    assert router.explain("w")["candidates"] == []
    with pytest.raises(om.UnknownInteractionError):
        router.explain("nope")


def busy_router(clock: Clock) -> om.Router:
    router = om.Router(
        clock=clock,
        offer_timeout=20,
        selection="round_robin",
        queues=[
            om.Queue(
                "vip",
                accepts='attributes.tier == "gold"',
                steps=[om.Step("skills.billing >= 4", timeout=30), om.Step("")],
            ),
            om.Queue("general"),
        ],
    )
    staffed(
        router,
        [
            om.Agent(id="a", skills={"billing": 5}, capacity={"voice": 1, "email": 2}),
            om.Agent(id="b", capacity={"voice": 1, "email": 2}),
        ],
    )
    router.submit(work("v1", attributes={"tier": "gold"}))
    router.submit(work("v2", attributes={"tier": "gold"}))
    router.submit(work("m1", "email"))
    router.submit(work("m2", "email", manual_priority=2))
    router.accept("v1")
    router.complete("v1", wrap_up=15)
    router.submit(work("m3", "email"))
    return router


def test_snapshot_is_json_and_restores_exactly(clock: Clock) -> None:
    router = busy_router(clock)
    data = router.snapshot()
    text = json.dumps(data)
    restored = om.Router.restore(json.loads(text), clock=clock)
    assert restored.snapshot() == data
    assert restored.waiting() == router.waiting()
    assert restored.next_wakeup() == router.next_wakeup()
    log_a, log_b = Recorder(), Recorder()
    router.subscribe(log_a)
    restored.subscribe(log_b)
    for r in (router, restored):
        clock.now += 0  # same time for both
        r.submit(work("late", "email"))
    for _step in range(6):
        clock.advance(10)
        router.tick()
        restored.tick()
    assert [e.to_json() for e in log_a.events] == [e.to_json() for e in log_b.events]
    assert router.snapshot() == restored.snapshot()


def test_restore_refuses_garbage() -> None:
    with pytest.raises(om.ValidationError, match="snapshot"):
        om.Router.restore({"format": 99})
    with pytest.raises(om.ValidationError, match="malformed"):
        om.Router.restore({"format": 1})


def test_command_listener_sees_plain_arguments_and_replays(clock: Clock) -> None:
    router = om.Router(clock=clock, offer_timeout=20)
    journal: list[tuple[str, dict[str, object], float]] = []
    router.add_command_listener(lambda name, args, at: journal.append((name, args, at)))
    staffed(router, [om.Agent(id="a", capacity={"voice": 1})])
    router.submit(work("w", customer_id="c"))
    router.decline("w")
    clock.advance(5)
    router.tick()
    json.dumps(journal)  # plain data
    assert [name for name, _, _ in journal] == [
        "add_agent", "set_presence", "submit", "decline", "tick"
    ]  # fmt: skip
    replay_clock = Clock()
    replayed = om.Router(clock=replay_clock, offer_timeout=20)
    for name, args, at in journal:
        replay_clock.now = at
        replayed.execute(name, args)
    assert replayed.snapshot() == router.snapshot()


def test_failed_commands_are_not_journaled(clock: Clock) -> None:
    router = om.Router(clock=clock)
    names: list[str] = []
    router.add_command_listener(lambda name, args, at: names.append(name))
    with pytest.raises(om.UnknownInteractionError):
        router.complete("nope")
    assert names == []


def test_many_threads_never_double_assign(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id=f"a{n}", capacity={"chat": 2}) for n in range(5)])
    assigned: list[str] = []
    router.subscribe(lambda e: assigned.append(e.interaction_id or ""), kinds=["assigned"])
    errors: list[BaseException] = []

    def worker(thread: int) -> None:
        try:
            for n in range(100):
                router.submit(work(f"t{thread}-{n}", "chat"))
                agent = router.agent_of(f"t{thread}-{n}")
                if agent is not None:
                    router.complete(f"t{thread}-{n}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(assigned) == len(set(assigned))
    for status in (router.agent_status(f"a{n}") for n in range(5)):
        assert len(status.work) <= 2
    everything = {f"t{t}-{n}" for t in range(4) for n in range(100)}
    assert {i for i in everything if router.state_of(i) is S.COMPLETED} | set(router.waiting()) | {
        i for i in everything if router.state_of(i) is S.ASSIGNED
    } == everything
