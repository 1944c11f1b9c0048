"""The one command table: what listeners hear is what execute and the journal read."""

from __future__ import annotations

from typing import Any

import pytest
from routing_helpers import Clock, agent, work

import omnirouter as om
from omnirouter.ops.writer import NOT_REPLAYABLE
from omnirouter.routing.commands import COMMANDS


def _every_command(router: om.Router, clock: Clock) -> None:
    router.add_agent(agent("a", capacity={"voice": 1, "email": 3}))
    router.add_agent(agent("b"))
    router.set_presence("a", "available")
    router.submit(work("i1", "email"))
    router.accept("i1")
    router.pause("i1")
    router.resume("i1")
    router.consult("i1", work("c1", "email"))
    router.cancel("c1")
    router.complete("i1", wrap_up=0)
    router.submit(work("i2", "email"))
    router.decline("i2")
    router.set_priority("i2", 2)
    router.transfer("i2", queue="default")
    router.split("i2", [work("p1", "email")])
    router.submit(work("i3"))
    router.abandon("i3")
    router.pull("a")
    router.set_priority_strategy(lambda interaction, now: 0.0)
    router.remove_agent("b")
    router.forget("c-1")
    clock.advance(1)
    router.tick()


def test_listeners_hear_exactly_the_commands_of_the_table(clock: Clock) -> None:
    router = om.Router(clock=clock, offer_timeout=30)
    heard: dict[str, set[str]] = {}
    router.add_command_listener(lambda name, args, at: heard.setdefault(name, set(args)))
    _every_command(router, clock)
    assert set(heard) == set(COMMANDS)
    for name, arguments in heard.items():
        assert arguments == set(COMMANDS[name].arguments), name


def test_the_journal_and_execute_agree_on_what_replays(clock: Clock) -> None:
    assert frozenset(n for n, c in COMMANDS.items() if not c.replayable) == NOT_REPLAYABLE
    router = om.Router(clock=clock)
    for name in NOT_REPLAYABLE:
        with pytest.raises(om.ValidationError, match="name"):
            router.execute(name, {})


def test_execute_repeats_every_replayable_command(clock: Clock) -> None:
    calls: list[tuple[str, dict[str, Any], float]] = []
    original = om.Router(clock=clock, offer_timeout=30)
    original.add_command_listener(lambda name, args, at: calls.append((name, args, at)))
    start = original.snapshot()
    _every_command(original, clock)
    copy = om.Router.restore(start, clock=clock)
    for name, arguments, at in calls:
        if COMMANDS[name].replayable:
            copy.execute(name, arguments, at=at)
        else:
            copy.set_priority_strategy(lambda interaction, now: 0.0)
    assert copy.snapshot() == original.snapshot()


@pytest.mark.parametrize(
    ("name", "arguments", "field"),
    [
        ("launch", {}, "name"),
        (3, {}, "name"),
        ("accept", {"interaction_id": "i1", "extra": 1}, "arguments.extra"),
        ("accept", [("interaction_id", "i1")], "arguments"),
        ("consult", {"interaction_id": "i1", "parts": []}, "arguments.parts"),
    ],
)
def test_execute_refuses_what_the_table_does_not_hold(
    clock: Clock, name: Any, arguments: Any, field: str
) -> None:
    router = om.Router(clock=clock)
    with pytest.raises(om.ValidationError) as caught:
        router.execute(name, arguments)
    assert caught.value.fields == [field]
